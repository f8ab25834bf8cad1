// Hono's own `proxy()` helper (hono/proxy) as a peer, the three lines a Hono user would write
// instead of adopting edgeway. Runs on Bun (`export default`) and on Deno (Deno.serve). PORT and
// UPSTREAM_PORT from env.

import { Hono } from 'hono'
import { proxy } from 'hono/proxy'

const env = (name: string) => (globalThis as { Deno?: { env: { get(n: string): string | undefined } } }).Deno?.env.get(name) ?? process.env[name]
const upstream = `http://127.0.0.1:${Number(env('UPSTREAM_PORT'))}`
const port = Number(env('PORT'))

const app = new Hono()
app.all('*', (c) => {
  const url = new URL(c.req.url)
  return proxy(upstream + url.pathname + url.search, c.req)
})

const deno = (globalThis as { Deno?: { serve(options: object, handler: (r: Request) => Response | Promise<Response>): unknown } }).Deno
if (deno) deno.serve({ hostname: '127.0.0.1', port, onListen() {} }, app.fetch)
else (globalThis as unknown as { Bun: { serve(options: object): unknown } }).Bun.serve({ hostname: '127.0.0.1', port, development: false, idleTimeout: 120, fetch: app.fetch })
