// Floor peer: Bun.serve downstream, edgeway's HTTP/1.1 client upstream (src/http1/), the client's
// Response returned as is: the pass-through with edgeway's client in place of Bun's fetch, and
// nothing of edgeway's request path. PORT and UPSTREAM_PORT from env.

import { bunDirectBodyStream } from '../../../src/adapter/bun-body-stream.ts'
import { bunDial } from '../../../src/adapter/bun-transport.ts'
import { createHttp1Client } from '../../../src/http1/client.ts'

const client = createHttp1Client({ dial: bunDial, bodyStreams: bunDirectBodyStream })
const upstream = `http://127.0.0.1:${Number(process.env.UPSTREAM_PORT)}`
const signal = new AbortController().signal

Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT),
  development: false,
  idleTimeout: 120,
  fetch(req) {
    const url = req.url
    return client.fetch({ url: upstream + url.slice(url.indexOf('/', 8)), method: req.method, headers: req.headers, body: null, signal })
  },
})
