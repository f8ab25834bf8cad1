// CPU ns per response written, in process: the byte listener's ResponseWriter (src/http1/
// response-writer.ts) on its whole-body path, a 90-byte body with the fields edgeway's path leaves on
// a small proxied answer (the bench upstream's content-type, date and content-length, the proxy's
// server and x-envoy-upstream-service-time), onto a transport that takes everything (as a Bun
// socket with room: writeRange, or write of a view). Against it, the light floor's way
// (bench/peers/scripts/floor-listen-light.ts: the head as one string from the fields, then
// encodeInto a fresh buffer with the body behind it). Contenders alternate within each round;
// min / median / max of the rounds.
//
//   bun bench/response-writer-cost.ts [--rounds R] [--calls N]      (also: deno run -A bench/response-writer-cost.ts)

import { parseArgs } from 'node:util'
import { ResponseWriter, type ResponseFacts, type WriterTransport } from '../src/http1/response-writer.ts'
import { wholeBodyOf, wholeBodyResponse } from '../src/upstream/whole-body.ts'
import { bunResponseFields } from '../src/adapter/bun-response-fields.ts'
import { alternate, nsPerCall, runtimeLabel } from './alternating-rounds.ts'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, calls: { type: 'string', default: '200000' } } })
const ROUNDS = Number(values.rounds)
const CALLS = Number(values.calls)

const encoder = new TextEncoder()
const BODY = encoder.encode('x'.repeat(89) + '\n') as Uint8Array<ArrayBuffer>
const FACTS: ResponseFacts = { method: 'GET', version: 11, keepAlive: true }
const UPSTREAM = { 'content-type': 'text/plain', 'content-length': '90', server: 'edgeway', 'x-envoy-upstream-service-time': '1' }

let sink = 0
/** Takes every write at once and keeps nothing, as a socket with room that copies into the kernel. */
const ranges: WriterTransport = { closed: false, copiesWrites: true, write: (b) => ((sink += b.byteLength), true), writeRange: (_b, s, e) => ((sink += e - s), true), destroy: () => {} }
const views: WriterTransport = { closed: false, write: (b) => ((sink += b.byteLength), true), destroy: () => {} }
const rangeWriter = new ResponseWriter(ranges)
const viewWriter = new ResponseWriter(views)
// The fields walked as the Bun listener walks them (Headers#toJSON, in Bun.serve's order; forEach on Deno).
const bunOrderWriter = new ResponseWriter(ranges, bunResponseFields)

// One Response per call, as each request gets its own (the upstream client's whole-body one); or one
// Response written again and again (the writer does not consume a whole body), which leaves the
// writer's own work without the Response's making and its garbage.
const DATED = { ...UPSTREAM, date: 'Tue, 08 Dec 2026 01:40:00 GMT' }
const fresh = (date: boolean) => () => wholeBodyResponse(BODY, { headers: date ? DATED : UPSTREAM })
const reused = (date: boolean) => {
  const response = wholeBodyResponse(BODY, { headers: date ? DATED : UPSTREAM })
  return () => response
}

/** The light floor's head: a string of the fields, then encodeInto one buffer with the body (its headWith). */
function floorWrite(response: Response): void {
  const body = wholeBodyOf(response)!
  let text = `HTTP/1.1 ${response.status} OK\r\n`
  response.headers.forEach((value, name) => {
    if (name !== 'content-length' && name !== 'connection') text += `${name}: ${value}\r\n`
  })
  text += `content-length: ${body.byteLength}\r\n\r\n`
  const out = new Uint8Array(text.length + body.byteLength)
  const { read, written } = encoder.encodeInto(text, out)
  if (read !== text.length || written !== text.length) for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i)
  out.set(body, text.length)
  sink += views.write(out) ? out.byteLength : 0
}

const CONTENDERS: { name: string; run: (make: () => Response) => void }[] = [
  { name: 'making the Response only', run: (make) => void (sink += make().status) },
  // The path edits a proxied response's headers before the listener writes it (downstream-headers.ts):
  // its Headers exist by then. This row is that, the one to subtract from the writer's.
  { name: 'making it and one edit of its headers, as the path does (subtract this)', run: (make) => void make().headers.set('server', 'edgeway') },
  { name: 'ResponseWriter.write, writeRange (a Bun socket)', run: (make) => void (sink += rangeWriter.write(make(), FACTS) === true ? 1 : 0) },
  { name: 'ResponseWriter.write, writeRange, fields walked by bun-response-fields.ts', run: (make) => void (sink += bunOrderWriter.write(make(), FACTS) === true ? 1 : 0) },
  { name: 'ResponseWriter.write, write of a view', run: (make) => void (sink += viewWriter.write(make(), FACTS) === true ? 1 : 0) },
  { name: 'light floor: head string + encodeInto', run: (make) => floorWrite(make()) },
]

console.log(`CPU ns per 90-byte whole-body response written, ${ROUNDS} rounds of ${CALLS} calls, contenders alternating (${runtimeLabel}): min / median / max`)
console.log('| upstream fields | contender | ns/response |')
console.log('|---|---|--:|')
const SHAPES = [
  ['one Response reused, with its Date (the bench upstream\'s)', reused(true)],
  ['one Response reused, without a Date (the writer adds it)', reused(false)],
  ['a fresh Response per call, with its Date', fresh(true)],
] as const
for (const [label, make] of SHAPES) {
  const contenders = make === SHAPES[0][1] || make === SHAPES[1][1] ? CONTENDERS.slice(2) : CONTENDERS
  const spreads = alternate(ROUNDS, contenders.map((c) => () => nsPerCall(CALLS, c.run, make)))
  contenders.forEach((c, i) => console.log(`| ${label} | ${c.name} | ${spreads[i]} |`))
}

// A local reply (local-reply.ts: `new Response(text, init)`, no mark) has no known bytes: the writer
// reads it with a reader (gathered, then sent with its length), a promise and a stream per reply.
// Beside it the same reply marked whole (wholeBodyResponse), which takes the path above. Async, so
// measured per awaited call; the Response is made in both.
const REPLY = 'no healthy upstream'
const REPLY_BYTES = encoder.encode(REPLY) as Uint8Array<ArrayBuffer>
const replyInit = () => ({ status: 503, headers: { 'content-type': 'text/plain', 'content-length': '19', server: 'edgeway' } })
async function nsPerAwaited(calls: number, run: () => boolean | Promise<boolean>): Promise<number> {
  const before = process.cpuUsage()
  for (let i = 0; i < calls; i++) await run()
  const used = process.cpuUsage(before)
  return ((used.user + used.system) * 1000) / calls
}
const LOCAL: { name: string; run: () => boolean | Promise<boolean> }[] = [
  { name: 'local reply as made today (read with a reader)', run: () => rangeWriter.write(new Response(REPLY, replyInit()), FACTS) },
  { name: 'the same reply marked whole (wholeBodyResponse)', run: () => rangeWriter.write(wholeBodyResponse(REPLY_BYTES, replyInit()), FACTS) },
]
const localRuns = LOCAL.map(() => [] as number[])
const localCalls = Math.max(1, Math.floor(CALLS / 4))
for (const c of LOCAL) await nsPerAwaited(localCalls, c.run)
for (let r = 0; r < ROUNDS; r++) for (const [i, c] of LOCAL.entries()) localRuns[i]!.push(await nsPerAwaited(localCalls, c.run))
for (const [i, c] of LOCAL.entries()) {
  const sorted = localRuns[i]!.sort((a, b) => a - b)
  console.log(`| a 503 local reply, made per call | ${c.name} | ${sorted[0]!.toFixed(0)} / ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} / ${sorted[sorted.length - 1]!.toFixed(0)} |`)
}
if (sink === 0) console.log('(nothing written)')
