// Floor peer on Deno: Deno.serve downstream, edgeway's HTTP/1.1 client upstream (src/http1/ on
// Deno.connect), the client's Response returned as is; nothing of edgeway's request path.
// PORT and UPSTREAM_PORT from env.

import { denoDial } from '../../../src/adapter/deno-transport.ts'
import { createHttp1Client } from '../../../src/http1/client.ts'

declare const Deno: { serve(options: { hostname: string; port: number; onListen?: () => void }, handler: (req: Request) => Response | Promise<Response>): unknown; env: { get(name: string): string | undefined } }

const client = createHttp1Client({ dial: denoDial })
const upstream = `http://127.0.0.1:${Number(Deno.env.get('UPSTREAM_PORT'))}`
const signal = new AbortController().signal

Deno.serve({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT')), onListen: () => {} }, (req) => {
  const url = req.url
  return client.fetch({ url: upstream + url.slice(url.indexOf('/', 8)), method: req.method, headers: req.headers, body: null, signal })
})
