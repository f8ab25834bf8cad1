// A fault-injecting upstream for tests: one raw HTTP/1.1 listener whose reply is chosen by the
// request path, so one upstream serves every fault a test needs. Built on the scripted upstream,
// so every byte it received stays inspectable.
//
//   /ok                      200, content-length body "ok"
//   /reset-before-headers    closes as soon as the request arrived
//   /reset-mid-headers       half a status line and headers, then a reset
//   /reset-mid-body/N/M      headers with content-length N, M bytes of body, then a reset
//   /short-body/N/M          content-length N, M < N bytes, then a clean close (FIN)
//   /long-body/N/M           content-length N, then M > N bytes on the same connection
//   /chunked-reset/M         chunked, M bytes in one chunk, then a reset (no last chunk)
//   /status/CODE             status line with CODE (e.g. 999, 600, 099), empty body
//   /status-line/TEXT        the status line is TEXT (URI-decoded), e.g. "HTTP/1.1 abc"
//   /never                   reads the request, never answers
//   /drip/N/EVERY_MS/BYTES   content-length N, BYTES bytes every EVERY_MS until N are sent

import type net from 'node:net'
import { reply, startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.ts'

export type FaultUpstream = ScriptedUpstream

const head = (status: string, fields: string) => `HTTP/1.1 ${status}\r\n${fields}\r\n`

export async function startFaultUpstream(): Promise<FaultUpstream> {
  const timers = new Set<ReturnType<typeof setInterval>>()
  const upstream = await startScriptedUpstream((request, socket) => {
    const path = request.head.split(' ')[1] ?? '/'
    const [, kind = '', ...args] = path.split('?')[0]!.split('/')
    const n = (i: number) => Number(args[i] ?? 0)
    switch (kind) {
      case 'ok':
        return reply(socket, head('200 OK', 'content-length: 2\r\n') + 'ok')
      case 'reset-before-headers':
        return void socket.resetAndDestroy()
      case 'reset-mid-headers':
        return writeThenReset(socket, 'HTTP/1.1 200 OK\r\ncontent-len')
      case 'reset-mid-body':
        return writeThenReset(socket, head('200 OK', `content-length: ${n(0)}\r\n`) + 'x'.repeat(n(1)))
      case 'short-body':
        return void socket.end(head('200 OK', `content-length: ${n(0)}\r\n`) + 'x'.repeat(n(1)))
      case 'long-body':
        return reply(socket, head('200 OK', `content-length: ${n(0)}\r\n`) + 'x'.repeat(n(1)))
      case 'chunked-reset':
        return writeThenReset(socket, head('200 OK', 'transfer-encoding: chunked\r\n') + `${n(0).toString(16)}\r\n${'x'.repeat(n(0))}\r\n`)
      case 'status':
        return reply(socket, `HTTP/1.1 ${args[0]} Odd\r\ncontent-length: 0\r\n\r\n`)
      case 'status-line':
        return reply(socket, `${decodeURIComponent(args[0] ?? '')}\r\ncontent-length: 0\r\n\r\n`)
      case 'never':
        return
      case 'drip': {
        const [total, every, bytes] = [n(0), n(1), n(2)]
        socket.write(head('200 OK', `content-length: ${total}\r\n`))
        let sent = 0
        const timer = setInterval(() => {
          if (socket.destroyed || sent >= total) {
            clearInterval(timer)
            timers.delete(timer)
            return
          }
          const piece = Math.min(bytes, total - sent)
          sent += piece
          socket.write('d'.repeat(piece))
        }, every)
        timers.add(timer)
        return
      }
      default:
        return reply(socket, head('404 Not Found', 'content-length: 0\r\n'))
    }
  })
  return {
    ...upstream,
    async stop() {
      for (const timer of timers) clearInterval(timer)
      await upstream.stop()
    },
  }
}

/** Writes `bytes`, then resets the connection (RST, not FIN) once they are on the wire. */
function writeThenReset(socket: net.Socket, bytes: string): void {
  socket.write(bytes, () => setTimeout(() => socket.resetAndDestroy(), 30))
}
