// node-http-proxy (http-proxy) on Node.js with a keep-alive agent, as its README suggests for
// throughput. PORT and UPSTREAM_PORT from env.

import http from 'node:http'
import httpProxy from 'http-proxy'

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
const proxy = httpProxy.createProxyServer({ target: `http://127.0.0.1:${Number(process.env.UPSTREAM_PORT)}`, agent })
proxy.on('error', (_error, _req, res) => {
  res.writeHead?.(502)
  res.end()
})
http.createServer((req, res) => proxy.web(req, res)).listen(Number(process.env.PORT), '127.0.0.1')
