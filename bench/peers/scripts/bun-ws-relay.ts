// The Bun pass-through for WebSocket: what the least a Bun WebSocket proxy does. Bun.serve upgrades
// the client, opens one WebSocket to the upstream per connection and relays each message as it is;
// messages sent before the upstream is open wait in order. PORT and UPSTREAM_PORT from env.

export {}

type Relay = { upstream?: WebSocket; readonly early: (string | Buffer)[] }

const upstream = `ws://127.0.0.1:${Number(process.env.UPSTREAM_PORT)}`

Bun.serve<Relay>({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  development: false,
  fetch: (req, server) => (server.upgrade(req, { data: { early: [] } }) ? undefined : new Response('websocket only\n', { status: 426 })),
  websocket: {
    open(ws) {
      const socket = new WebSocket(upstream)
      socket.binaryType = 'arraybuffer'
      ws.data.upstream = socket
      socket.onopen = () => {
        for (const message of ws.data.early.splice(0)) socket.send(message)
      }
      socket.onmessage = (event) => void ws.send(event.data)
      socket.onclose = () => ws.close()
    },
    message(ws, message) {
      const socket = ws.data.upstream!
      if (socket.readyState === WebSocket.OPEN) socket.send(message)
      else ws.data.early.push(message)
    },
    close: (ws) => ws.data.upstream?.close(),
  },
})
