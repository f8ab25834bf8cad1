// A dial bounded by the cluster's connect_timeout and the attempt's signal. Neither runtime's
// connect takes a timeout: without this a black-holed endpoint would hold the attempt until the
// route's timeout instead of failing over. A connection that completes too late is closed unused.

import type { TlsHandshakeReport } from '../stats/ssl-stats.ts'
import type { Dial, Transport } from './transport.ts'
import { abortReason, UpstreamError } from './upstream-error.ts'

export type ConnectOptions = {
  /** The TCP connect must complete within this; Infinity for no bound. */
  readonly timeoutMs: number
  readonly signal: AbortSignal
  /** Handed to the dial: where a TLS dial reports its handshake. */
  readonly handshakes: TlsHandshakeReport
}

/** Rejects with UpstreamError('connect') on failure or timeout, or with the signal's reason. */
export function connect(dial: Dial, host: string, port: number, { timeoutMs, signal, handshakes }: ConnectOptions): Promise<Transport> {
  return new Promise<Transport>((resolve, reject) => {
    let settled = false
    const settle = () => {
      settled = true
      if (timer !== undefined) clearTimeout(timer)
      signal.removeEventListener('abort', onAbort)
    }
    const onAbort = () => {
      if (settled) return
      settle()
      reject(abortReason(signal))
    }
    const timer = Number.isFinite(timeoutMs)
      ? setTimeout(() => {
          if (settled) return
          settle()
          reject(new UpstreamError('connect', 'ConnectTimeout', `connect to ${host}:${port} timed out after ${timeoutMs} ms`))
        }, Math.max(1, timeoutMs))
      : undefined
    signal.addEventListener('abort', onAbort, { once: true })
    let dialing: Promise<Transport>
    try {
      dialing = dial(host, port, handshakes)
    } catch (error) {
      dialing = Promise.reject(error)
    }
    dialing.then(
      (transport) => {
        if (settled) return transport.destroy()
        settle()
        resolve(transport)
      },
      (error: Error & { code?: string }) => {
        if (settled) return
        settle()
        // Bun names it in `code` (ECONNREFUSED), Deno in `name` (ConnectionRefused).
        const code = error?.code ?? (error?.name && error.name !== 'Error' ? error.name : 'ConnectFailed')
        reject(new UpstreamError('connect', code, `connect to ${host}:${port} failed: ${error?.message ?? error}`, { cause: error }))
      },
    )
  })
}
