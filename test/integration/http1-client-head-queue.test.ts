// A request head the kernel does not take at once on Bun's transport: the rest is queued as a copy,
// since the writer gives the head's slab space to the next head as soon as write returns
// (Transport.copiesWrites, writeRange). A view queued there would send the next head's bytes.

import { afterAll, expect, test } from 'bun:test'
import { bunDial } from '../../src/adapter/bun-transport.ts'
import { createHttp1Client } from '../../src/http1/client.ts'
import type { UpstreamRequest } from '../../src/runtime.ts'
import { okResponse, reply, startScriptedUpstream, type ScriptedUpstream } from '../support/scripted-upstream.ts'

let upstream: ScriptedUpstream | undefined
const client = createHttp1Client({ dial: bunDial })
afterAll(async () => {
  client.close()
  await upstream?.stop()
})

function request(port: number, headers: Headers): UpstreamRequest {
  return { url: `http://127.0.0.1:${port}/path?q=1`, method: 'GET', headers, body: null, signal: new AbortController().signal }
}

test('a head larger than the socket takes at once arrives whole while the next head is written over its slab space', async () => {
  upstream = await startScriptedUpstream((_r, socket) => reply(socket, okResponse('ok')))
  // 8 MiB: more than a loopback socket's send buffer, so socket.write() takes only part of it.
  const big = 'abcdefghijklmnopqrstuvwxyz0123456789'.repeat(233_017)
  // The second, as large, is written over the first's slab space while the first's rest still waits.
  const other = big.toUpperCase()
  const sent = [big, other].map((value) => client.fetch(request(upstream!.port, new Headers({ host: 'service1', 'x-big': value }))))
  for (const response of await Promise.all(sent)) expect(await response.text()).toBe('ok')
  const heads = upstream.requests().map((r) => r.head)
  expect(heads.length).toBe(2)
  for (const value of [big, other]) expect(heads.includes(`GET /path?q=1 HTTP/1.1\r\nhost: service1\r\nx-big: ${value}`)).toBe(true)
}, 30_000)
