// CPU ns per response-head parse, in process: the HTTP/1.1 client's parseResponseHead
// (src/http1/codec.ts, one record reused, as the response reader does) on the head bench/upstream.ts
// sends (Bun.serve's: three fields) and on a ten-field head as an nginx-fronted app answers. With
// --before <dir> (a checkout: `git archive <rev> src | tar -x -C <dir>`) both trees are loaded and
// alternate within each round, so a machine's swing lands on both; min / median / max of the rounds.
//
//   bun bench/response-head-cost.ts [--before <dir>] [--rounds R] [--calls N]   (also: deno run -A ...)

import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { alternate, nsPerCall, runtimeLabel } from './alternating-rounds.ts'

const { values } = parseArgs({ options: { before: { type: 'string' }, rounds: { type: 'string', default: '7' }, calls: { type: 'string', default: '200000' } } })
const ROUNDS = Number(values.rounds)
const CALLS = Number(values.calls)

const encoder = new TextEncoder()
const HEADS = {
  // What bench/upstream.ts answers on /service/1 (read off the socket from Bun 1.4.5's Bun.serve).
  upstream: encoder.encode('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nDate: Mon, 07 Dec 2026 15:20:38 GMT\r\nContent-Length: 90\r\n\r\n'),
  tenFields: encoder.encode(
    'HTTP/1.1 200 OK\r\nServer: nginx/1.27.3\r\nDate: Mon, 07 Dec 2026 15:20:38 GMT\r\nContent-Type: text/html; charset=utf-8\r\n' +
      'Content-Length: 5120\r\nConnection: keep-alive\r\nCache-Control: private, max-age=0, must-revalidate\r\n' +
      'ETag: W/"1400-9f2c4b7e"\r\nVary: Accept-Encoding\r\nSet-Cookie: session=abc123def456; Path=/; HttpOnly; SameSite=Lax\r\n' +
      'X-Request-Id: 3f2b8c1e-6a4d-4e2f-9b7a-1c5d8e0f2a3b\r\n\r\n',
  ),
}

type Codec = typeof import('../src/http1/codec.ts')
const trees: { name: string; codec: Codec }[] = []
if (values.before !== undefined) trees.push({ name: `before (${values.before})`, codec: await import(pathToFileURL(resolve(values.before, 'src/http1/codec.ts')).href) })
trees.push({ name: 'this checkout', codec: await import('../src/http1/codec.ts') })

let sink = 0
/** One tree's parse of one head, into a record of its own (as the response reader keeps one). */
function parserOf(codec: Codec): (bytes: Uint8Array) => void {
  const record = new codec.ResponseHeadRecord()
  return (bytes) => {
    sink += codec.parseResponseHead(bytes, 'GET', 0, record)!.headBytes
  }
}

console.log(`CPU ns per parseResponseHead, ${ROUNDS} rounds of ${CALLS} calls, trees alternating (${runtimeLabel}): min / median / max`)
console.log('| head | tree | ns/parse |')
console.log('|---|---|--:|')
for (const [headName, bytes] of Object.entries(HEADS)) {
  const spreads = alternate(ROUNDS, trees.map((tree) => parserOf(tree.codec)).map((run) => () => nsPerCall(CALLS, run, bytes)))
  trees.forEach((tree, i) => console.log(`| ${headName} (${bytes.byteLength} B) | ${tree.name} | ${spreads[i]} |`))
}
if (sink === 0) console.log('(nothing parsed)')
