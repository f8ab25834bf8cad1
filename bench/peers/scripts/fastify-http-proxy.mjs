// @fastify/http-proxy on Node.js, the way its README sets it up: fastify + the plugin forwarding
// every path to the upstream (undici with keep-alive underneath). PORT and UPSTREAM_PORT from env.

import Fastify from 'fastify'
import proxy from '@fastify/http-proxy'

const app = Fastify({ logger: false })
await app.register(proxy, { upstream: `http://127.0.0.1:${Number(process.env.UPSTREAM_PORT)}` })
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT) })
