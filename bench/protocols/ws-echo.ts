// The WebSocket rows' upstream: echoes every message. Run as `bun bench/protocols/ws-echo.ts` with PORT set.

Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  development: false,
  fetch: (request, server) => (server.upgrade(request) ? undefined : new Response('websocket only\n', { status: 426 })),
  websocket: { message: (ws, message) => void ws.send(message) },
})
