// CPU ns per request URL, in process: requestUrl (src/http1/request-url.ts, what a byte-level
// listener hands the proxy path as `url`) on the bench's request as wrk sends it, a browser's, and
// heads that need the canonical pass, against the bare concatenation (the floor), the WHATWG
// `new URL(...).href` and the canonical pass forced; then parse + requestUrl against the parse
// alone, on fresh strings each call as a connection has them. Contenders alternate within each
// round so a machine's swing lands on all of them; min / median / max of the rounds.
//
//   bun bench/request-url-cost.ts [--rounds R] [--calls N]      (also: deno run -A bench/request-url-cost.ts)

import { parseArgs } from 'node:util'
import { parseRequestHead, RequestHeadRecord } from '../src/http1/request-head.ts'
import { DEFAULT_REQUEST_HEAD_LIMITS } from '../src/http1/request-head-limits.ts'
import { requestUrl } from '../src/http1/request-url.ts'
import { canonicalAuthority } from '../src/http1/url-host.ts'
import { canonicalTarget } from '../src/http1/url-path.ts'
import { requestTarget } from '../src/proxy/request-target.ts'
import { alternate, nsPerCall, runtimeLabel } from './alternating-rounds.ts'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '9' }, calls: { type: 'string', default: '500000' } } })
const ROUNDS = Number(values.rounds)
const CALLS = Number(values.calls)

const encoder = new TextEncoder()
const HEADS = {
  'wrk (GET /service/1, Host 127.0.0.1:8000)': 'GET /service/1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n',
  'browser (/service/1/page?id=42, Host edge.example.com)': 'GET /service/1/page?id=42 HTTP/1.1\r\nHost: edge.example.com\r\n\r\n',
  'dot-segments (/static/./css/../app.css?v=1)': 'GET /static/./css/../app.css?v=1 HTTP/1.1\r\nHost: edge.example.com\r\n\r\n',
  'upper-case Host (Edge.Example.com:8000)': 'GET /service/1 HTTP/1.1\r\nHost: Edge.Example.com:8000\r\n\r\n',
}

let sink = 0

function recordOf(head: string): RequestHeadRecord {
  return parseRequestHead(encoder.encode(head), DEFAULT_REQUEST_HEAD_LIMITS, new RequestHeadRecord())!
}

const ON_RECORD: { name: string; run: (record: RequestHeadRecord) => void }[] = [
  { name: 'concatenation alone (the floor)', run: (r) => void (sink += `http://${r.host}${r.target}`.length) },
  { name: 'requestUrl', run: (r) => void (sink += (requestUrl(r, 'http') as string).length) },
  { name: 'requestUrl + requestTarget (what the path reads)', run: (r) => void (sink += (requestTarget(requestUrl(r, 'http') as string, r.host) as { path: string }).path.length) },
  { name: 'canonical pass forced', run: (r) => void (sink += `http://${canonicalAuthority(r.host!, 'http')}${canonicalTarget(r.target)}`.length) },
  { name: 'new URL(...).href', run: (r) => void (sink += new URL(`http://${r.host}${r.target}`).href.length) },
]

const parseRecord = new RequestHeadRecord()
const ON_BYTES: { name: string; run: (bytes: Uint8Array) => void }[] = [
  { name: 'parse alone', run: (b) => void (sink += parseRequestHead(b, DEFAULT_REQUEST_HEAD_LIMITS, parseRecord)!.headBytes) },
  { name: 'parse + concatenation', run: (b) => { const r = parseRequestHead(b, DEFAULT_REQUEST_HEAD_LIMITS, parseRecord)!; sink += `http://${r.host}${r.target}`.length } },
  { name: 'parse + requestUrl', run: (b) => void (sink += (requestUrl(parseRequestHead(b, DEFAULT_REQUEST_HEAD_LIMITS, parseRecord)!, 'http') as string).length) },
]

console.log(`CPU ns per call, ${ROUNDS} rounds of ${CALLS} calls, contenders alternating (${runtimeLabel}): min / median / max`)
console.log('| head | contender | ns/call |')
console.log('|---|---|--:|')
for (const [name, head] of Object.entries(HEADS)) {
  const record = recordOf(head)
  const spreads = alternate(ROUNDS, ON_RECORD.map((c) => () => nsPerCall(CALLS, c.run, record)))
  ON_RECORD.forEach((c, i) => console.log(`| ${name} | ${c.name} | ${spreads[i]} |`))
  const bytes = encoder.encode(head)
  const parsed = alternate(ROUNDS, ON_BYTES.map((c) => () => nsPerCall(CALLS, c.run, bytes)))
  ON_BYTES.forEach((c, i) => console.log(`| ${name} | ${c.name} | ${parsed[i]} |`))
}
if (sink === 0) console.log('(nothing measured)')
