// What the response writer emits parses back with edgeway's own response reader (response-reader.ts,
// codec.ts) to the same status, fields and body bytes, for any status, fields, body, shape of body
// (whole, a local reply, streamed with or without a length, already there or still arriving),
// method, version, and a transport that fills up and drains; and the keep-alive verdict never
// promises a connection the bytes cannot carry.

import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { ResponseReader } from './response-reader.ts'
import { ResponseWriter, type ResponseFacts } from './response-writer.ts'
import { FakeTransport } from './response-writer.fixture.ts'
import { wholeBodyResponse } from '../upstream/whole-body.ts'

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyz"
const name = fc.oneof(
  fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 12 }),
  fc.constantFrom('set-cookie', 'date', 'content-type', 'server', 'content-length', 'transfer-encoding', 'connection'),
)
const valueByte = fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x20, 0x09))
const value = fc.array(valueByte, { maxLength: 30 }).map((codes) => String.fromCharCode(...codes).replace(/^[ \t]+|[ \t]+$/g, ''))
const status = fc.oneof(fc.constantFrom(200, 201, 204, 206, 301, 304, 404, 500, 503), fc.integer({ min: 200, max: 599 }))
const body = fc.oneof(fc.uint8Array({ maxLength: 200 }), fc.uint8Array({ minLength: 16_000, maxLength: 20_000 }))
const shape = fc.constantFrom('whole', 'local', 'stream-ready', 'stream-slow', 'stream-slow-length')
const facts = fc.record({ method: fc.constantFrom('GET', 'GET', 'HEAD'), version: fc.constantFrom<10 | 11>(10, 11, 11), keepAlive: fc.boolean() })

type Case = { status: number; pairs: [string, string][]; body: Uint8Array; shape: string; splits: number[]; facts: ResponseFacts; mark: number }

function responseOf(c: Case): Response {
  const headers = new Headers()
  for (const [n, v] of c.pairs) headers.append(n, v)
  // A Response's own length, when it has one, is its body's (as the upstream client's are).
  headers.delete('content-length')
  if (c.shape === 'whole' || c.shape === 'stream-slow-length') headers.set('content-length', String(c.body.byteLength))
  const init = { status: c.status, headers }
  if (c.shape === 'whole') return wholeBodyResponse(c.body.byteLength === 0 && c.facts.method === 'HEAD' ? null : (c.body as Uint8Array<ArrayBuffer>), init)
  if (c.shape === 'local') return new Response(c.body as Uint8Array<ArrayBuffer>, init)
  // The body cut where `splits` say.
  const cuts = [...new Set(c.splits.map((s) => s % (c.body.byteLength + 1)))].sort((a, b) => a - b)
  const chunks: Uint8Array[] = []
  let from = 0
  for (const cut of [...cuts, c.body.byteLength]) {
    chunks.push(c.body.subarray(from, cut))
    from = cut
  }
  if (c.shape === 'stream-ready') {
    return new Response(new ReadableStream<Uint8Array>({ start: (controller) => (chunks.forEach((chunk) => controller.enqueue(chunk)), controller.close()) }), init)
  }
  let i = 0
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 0))
        if (i < chunks.length) controller.enqueue(chunks[i++]!)
        else controller.close()
      },
    },
    { highWaterMark: 0 },
  )
  return new Response(stream, init)
}

/** A transport that fills past `mark` and drains on the next macrotask, telling the writer. */
async function writeAll(response: Response, f: ResponseFacts, mark: number): Promise<{ bytes: Uint8Array; keepAlive: boolean; destroyed: number }> {
  const transport = new FakeTransport(mark)
  const writer = new ResponseWriter(transport)
  const write = transport.write.bind(transport)
  transport.write = (bytes) => {
    const room = write(bytes)
    if (!room)
      setTimeout(() => {
        transport.drained()
        writer.drain()
      }, 0)
    return room
  }
  const keepAlive = await writer.write(response, f)
  return { bytes: transport.bytes, keepAlive, destroyed: transport.destroyed }
}

describe('the response writer against the response reader', () => {
  test('any response parses back to its status, fields and body; the verdict matches what the bytes allow', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({ status, pairs: fc.array(fc.tuple(name, value), { maxLength: 8 }), body, shape, splits: fc.array(fc.nat(), { maxLength: 4 }), facts, mark: fc.constantFrom(Number.POSITIVE_INFINITY, 64, 4096) }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 6 }),
        async (c: Case, pieces) => {
          const response = responseOf(c)
          // What the writer is expected to keep: the fields as the Headers hand them, framing aside.
          const expected: [string, string][] = []
          // (Headers joins repeats with ", ", so a joined value may end in a space the reader drops as OWS.)
          response.headers.forEach((v, n) => void (n !== 'content-length' && n !== 'transfer-encoding' && expected.push([n, v.replace(/[ \t]+$/, '')])))
          const hadDate = response.headers.has('date')
          const hadConnection = response.headers.has('connection')
          const { bytes, keepAlive, destroyed } = await writeAll(response, c.facts, c.mark)
          expect(destroyed).toBe(0)

          const received: Uint8Array[] = []
          const reader = new ResponseReader(c.facts.method, { head: () => {}, body: (chunk) => void received.push(chunk.slice()) })
          // Fed in pieces of the generated sizes, round and round.
          for (let at = 0, k = 0; at < bytes.byteLength; k++) {
            const n = pieces[k % pieces.length]!
            reader.execute(bytes.subarray(at, at + n))
            at += n
          }
          const complete = reader.finish()
          const head = reader.head!
          expect(head.status).toBe(c.status)
          const fields: [string, string][] = []
          for (let i = 0; i < head.headers.length; i += 2) if (head.headers[i] !== 'content-length') fields.push([head.headers[i]!, head.headers[i + 1]!])
          const added: [string, string][] = []
          if (!hadDate) added.push(['date', fields.find(([n]) => n === 'date')?.[1] ?? '<missing>'])
          if (c.facts.version === 10 && c.facts.keepAlive && !hadConnection && keepAlive) added.push(['connection', 'keep-alive'])
          const sortByName = (list: [string, string][]) => [...list].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
          expect(sortByName(fields)).toEqual(sortByName([...expected, ...added]))
          expect(complete).toBe(true)
          expect(reader.excess).toBe(false)
          const noBody = c.facts.method === 'HEAD' || c.status === 204 || c.status === 304
          const got = new Uint8Array(received.reduce((n, r) => n + r.byteLength, 0))
          let o = 0
          for (const r of received) (got.set(r, o), (o += r.byteLength))
          expect([...got]).toEqual(noBody ? [] : [...c.body])
          // Kept alive only where the reader, too, sees a response that ends without the close.
          if (keepAlive) {
            expect(c.facts.keepAlive).toBe(true)
            expect(head.framing.kind).not.toBe('close')
            expect(head.keepAlive).toBe(true)
          }
        },
      ),
      { numRuns: 250 },
    )
  }, 60_000)
})
