// node-http-proxy (http-proxy) on Node.js with a keep-alive agent, as its README suggests for
// throughput; WebSocket upgrades are proxied too (`ws: true` and the server's upgrade event, as its
// README shows), which pipes the two sockets' bytes after the upstream's 101. PORT and UPSTREAM_PORT
// from env.

import http from 'node:http'
import httpProxy from 'http-proxy'

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${Number(process.env.UPSTREAM_PORT)}`, agent, ws: true })
proxy.on('error', (_error, _req, res) => {
  // an HTTP request's error gets a 502; a WebSocket's (res is its socket) is closed
  if (res.writeHead) {
    res.writeHead(502)
    res.end()
  } else res.destroy?.()
})
const server = http.createServer((req, res) => proxy.web(req, res))
server.on('upgrade', (req, socket, head) => proxy.ws(req, socket, head))
server.listen(Number(process.env.PORT), '127.0.0.1')
