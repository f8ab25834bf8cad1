// The upstream side of a proxied WebSocket on both runtimes: the runtime's WebSocket client
// (Bun and Deno both take { headers, protocols }), with a refusal's status read from its error,
// which is the only place either runtime reports it ("Expected 101 status code: 403" on Bun,
// "Invalid status code: 403" on Deno).

import { WebSocketRefused, type UpstreamWebSocket } from '../runtime.ts'

const REFUSED = /(?:Expected 101 status code|Invalid status code):? (\d{3})/

export function openWebSocket(url: string, options: { readonly headers: Headers; readonly protocols: readonly string[] }): Promise<UpstreamWebSocket> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {}
    options.headers.forEach((value, name) => (headers[name] = value))
    const socket = new WebSocket(url, { headers, protocols: [...options.protocols] } as unknown as string[])
    socket.binaryType = 'arraybuffer'
    let opened = false
    socket.onopen = () => {
      opened = true
      resolve(wrap(socket))
    }
    socket.onerror = (event) => {
      if (opened) return
      const message = String((event as ErrorEvent).message ?? '')
      const refused = REFUSED.exec(message)
      reject(refused ? new WebSocketRefused(Number(refused[1])) : new Error(message || 'WebSocket connect failed'))
    }
  })
}

function wrap(socket: WebSocket): UpstreamWebSocket {
  return {
    protocol: socket.protocol,
    send: (data) => socket.send(data),
    bufferedAmount: () => socket.bufferedAmount,
    close: (code, reason) => (code === undefined || code === 1005 || code === 1006 ? socket.close() : socket.close(code, reason)),
    listen(handlers) {
      socket.onmessage = (event) => handlers.message(typeof event.data === 'string' ? event.data : new Uint8Array(event.data as ArrayBuffer))
      socket.onclose = (event) => handlers.close(event.code, event.reason)
    },
  }
}
