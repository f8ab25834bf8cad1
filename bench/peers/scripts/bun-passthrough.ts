// The Bun pass-through peer, exactly as issue 14 defines it: Bun.serve, then fetch(url, { method,
// headers: req.headers, body: req.body }) and the upstream's Response returned as is. The least a
// Bun proxy can do; what edgeway on Bun is measured against. PORT and UPSTREAM_PORT from env.

const upstream = `http://127.0.0.1:${Number(process.env.UPSTREAM_PORT)}`

Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  development: false,
  idleTimeout: 120,
  fetch(req) {
    const url = new URL(req.url)
    return fetch(upstream + url.pathname + url.search, { method: req.method, headers: req.headers, body: req.body })
  },
})
