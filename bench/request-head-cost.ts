// CPU ns per request-head parse, in process: edgeway's request-head parser (src/http1/request-head.ts,
// one record reused, and through its RequestHeadReader) against the light floor's reader
// (bench/peers/scripts/floor-light-head.ts, stop 26), on the bench's request as wrk sends it
// (GET /service/1, Host only) and on a browser's nine-field head. The parsers alternate within
// each round so a machine's swing lands on all of them; min / median / max of the rounds.
//
//   bun bench/request-head-cost.ts [--rounds R] [--calls N]      (also: deno run -A bench/request-head-cost.ts)

import { parseArgs } from 'node:util'
import { parseRequestHead, RequestHeadRecord } from '../src/http1/request-head.ts'
import { DEFAULT_REQUEST_HEAD_LIMITS } from '../src/http1/request-head-limits.ts'
import { RequestHeadReader } from '../src/http1/request-head-reader.ts'
import { LightRequestHead, readLightHead } from './peers/scripts/floor-light-head.ts'
import { alternate, nsPerCall, runtimeLabel } from './alternating-rounds.ts'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, calls: { type: 'string', default: '200000' } } })
const ROUNDS = Number(values.rounds)
const CALLS = Number(values.calls)

const encoder = new TextEncoder()
const HEADS = {
  wrk: encoder.encode('GET /service/1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n'),
  browser: encoder.encode(
    'GET /service/1/page?id=42 HTTP/1.1\r\nHost: edge.example.com\r\nConnection: keep-alive\r\n' +
      'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36\r\n' +
      'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8\r\nAccept-Encoding: gzip, deflate, br\r\n' +
      'Accept-Language: en-US,en;q=0.9\r\nCookie: session=abc123; theme=dark\r\nCache-Control: max-age=0\r\n' +
      'Upgrade-Insecure-Requests: 1\r\n\r\n',
  ),
}

const light = new LightRequestHead()
const record = new RequestHeadRecord()
const reader = new RequestHeadReader(DEFAULT_REQUEST_HEAD_LIMITS)
let sink = 0

const PARSERS: { name: string; run: (bytes: Uint8Array) => void }[] = [
  {
    name: 'light floor (readLightHead)',
    run: (bytes) => {
      const head = readLightHead(bytes, light)
      if (typeof head !== 'object') throw new Error('light floor refused the head')
      sink += head.length
    },
  },
  {
    name: 'request-head (parseRequestHead)',
    run: (bytes) => {
      sink += parseRequestHead(bytes, DEFAULT_REQUEST_HEAD_LIMITS, record)!.headBytes
    },
  },
  {
    name: 'request-head (RequestHeadReader.push)',
    run: (bytes) => {
      sink += reader.push(bytes)!.headBytes
    },
  },
]

console.log(`CPU ns per parse, ${ROUNDS} rounds of ${CALLS} calls, parsers alternating (${runtimeLabel}): min / median / max`)
console.log('| head | parser | ns/parse |')
console.log('|---|---|--:|')
for (const [headName, bytes] of Object.entries(HEADS)) {
  const spreads = alternate(ROUNDS, PARSERS.map((parser) => () => nsPerCall(CALLS, parser.run, bytes)))
  PARSERS.forEach((parser, i) => console.log(`| ${headName} (${bytes.byteLength} B) | ${parser.name} | ${spreads[i]} |`))
}
if (sink === 0) console.log('(nothing parsed)')
