// The HTTP/1.1 client's Transport over node:tls, on both runtimes: TLS to upstreams with SNI, a
// CA, no verification, a client certificate and subject-alt-name checks. Neither native socket
// API offers all of that (Deno.connectTls/startTls cannot skip verification or check names other
// than the SNI one; Bun.connect has no checkServerIdentity), and node:tls behaves the same on both.

import { connect as tlsConnect, type TLSSocket } from 'node:tls'
import type { UpstreamTls } from '../runtime.ts'
import type { Dial, Transport, TransportEvents } from '../http1/transport.ts'
import { handshakeOf } from './tls-handshake.ts'
import { tlsClientOptions, tlsFailureReason, tlsFailureStat } from './upstream-tls-options.ts'

class NodeSocketTransport implements Transport {
  events: TransportEvents | undefined
  closed = false

  constructor(private readonly socket: TLSSocket) {
    // Each chunk is fresh memory the socket never writes again, so receivers may keep views of it.
    socket.on('data', (chunk: Buffer) => this.events?.data(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength)))
    socket.on('drain', () => this.events?.drain())
    socket.on('error', (error) => this.#peerClosed(error))
    socket.on('close', () => this.#peerClosed(undefined))
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed) return true // the close event reports the failure
    return this.socket.write(bytes)
  }

  pause(): void {
    if (!this.closed) this.socket.pause()
  }

  resume(): void {
    if (!this.closed) this.socket.resume()
  }

  destroy(): void {
    if (this.closed) return
    this.closed = true
    this.events = undefined
    this.socket.destroy()
  }

  #peerClosed(error: Error | undefined): void {
    if (this.closed) return
    this.closed = true
    const events = this.events
    this.events = undefined
    this.socket.destroy()
    events?.close(error)
  }
}

/**
 * A Dial that completes after the TLS handshake and reports it to `handshakes` (the cluster's
 * ssl.*); a failed handshake is reported by its counter and rejects with its transportFailureReason.
 */
export function nodeTlsDial(tls: UpstreamTls): Dial {
  const options = { ...tlsClientOptions(tls), ALPNProtocols: ['http/1.1'] }
  return (host, port, handshakes) =>
    new Promise<Transport>((resolve, reject) => {
      const socket = tlsConnect({ host, port, ...options })
      const onError = (error: Error) => {
        socket.destroy()
        const failure = tlsFailureStat(error)
        if (failure) handshakes.tlsFailed(failure)
        const reason = tlsFailureReason(error)
        reject(reason ? Object.assign(error, { transportFailureReason: reason }) : error)
      }
      socket.once('error', onError)
      socket.once('secureConnect', () => {
        socket.off('error', onError)
        socket.setNoDelay(true)
        handshakes.tlsHandshake(handshakeOf(socket))
        resolve(new NodeSocketTransport(socket))
      })
    })
}
