// Property-based tests of the request body source (fast-check): a valid body, chunked or by
// length, reads back as its bytes whatever the split of the connection's bytes into pieces, with
// the same push counts (all of each piece until the body's last byte, none after); and any bytes
// at all (random, or a valid chunked body with a byte changed, dropped or added) give the same
// verdict in any split (the data before the fault, how many bytes were the body's, done or the
// error), where the only error is the documented 400 and nothing is ever thrown.

import { describe, expect, test } from 'bun:test'
import fc from 'fast-check'
import { encodeLatin1 } from './latin1.ts'
import { RequestBodyError } from './request-body-error.ts'
import { RequestBodySource, type BodyFlow, type BodyFraming } from './request-body-source.ts'
import { RequestChunkedDecoder } from './request-chunked-decoder.ts'

const RUNS = { numRuns: 300 }
const flow: BodyFlow = { pause() {}, resume() {} }

const TCHAR = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
const token = fc.string({ unit: fc.constantFrom(...TCHAR), minLength: 1, maxLength: 8 })
const valueByte = fc.oneof(fc.integer({ min: 0x21, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constantFrom(0x20, 0x09))
const fieldValue = fc.array(valueByte, { maxLength: 20 }).map((codes) => String.fromCharCode(...codes))
const bws = fc.constantFrom('', ' ', '\t', ' \t')
const extension = fc
  .record({ before: bws, name: token, value: fc.option(fc.oneof(token, token.map((t) => `"${t} ${t}"`)), { nil: undefined }) })
  .map((e) => `${e.before};${e.name}${e.value === undefined ? '' : `=${e.value}`}`)
const extensions = fc.array(extension, { maxLength: 3 }).map((list) => list.join(''))

type ChunkModel = { data: Uint8Array; zeros: number; upper: boolean; ext: string }
type ChunkedModel = { chunks: ChunkModel[]; lastZeros: number; lastExt: string; trailers: [string, string][]; after: Uint8Array }

const chunkedModel: fc.Arbitrary<ChunkedModel> = fc.record({
  chunks: fc.array(fc.record({ data: fc.uint8Array({ minLength: 1, maxLength: 40 }), zeros: fc.integer({ min: 0, max: 2 }), upper: fc.boolean(), ext: extensions }), { maxLength: 6 }),
  lastZeros: fc.integer({ min: 1, max: 3 }),
  lastExt: extensions,
  trailers: fc.array(fc.tuple(token, fieldValue), { maxLength: 3 }),
  after: fc.uint8Array({ maxLength: 20 }),
})

const latin1 = (bytes: Uint8Array) => String.fromCharCode(...bytes)
function chunkedWire(model: ChunkedModel): string {
  let wire = ''
  for (const c of model.chunks) {
    const size = c.data.byteLength.toString(16)
    wire += `${'0'.repeat(c.zeros)}${c.upper ? size.toUpperCase() : size}${c.ext}\r\n${latin1(c.data)}\r\n`
  }
  wire += `${'0'.repeat(model.lastZeros)}${model.lastExt}\r\n`
  for (const [name, value] of model.trailers) wire += `${name}:${value}\r\n`
  return `${wire}\r\n`
}
const dataOf = (model: ChunkedModel) => model.chunks.flatMap((c) => [...c.data])

const join = (a: Uint8Array, b: Uint8Array) => {
  const out = new Uint8Array(a.byteLength + b.byteLength)
  out.set(a)
  out.set(b, a.byteLength)
  return out
}
const cutsOf = (length: number) => fc.array(fc.integer({ min: 0, max: length }), { maxLength: 6 }).map((cuts) => cuts.sort((a, b) => a - b))
function piecesOf(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const pieces: Uint8Array[] = []
  let from = 0
  // a fresh copy per piece: the source keeps views of what it was given, as transports allow
  for (const cut of [...cuts, bytes.byteLength]) {
    pieces.push(bytes.slice(from, Math.max(from, cut)))
    from = Math.max(from, cut)
  }
  return pieces
}

/** A source fed the pieces, then read whole: the push counts, the bytes read, and whether each chunk was a view of a piece. */
async function readInPieces(framing: BodyFraming, pieces: Uint8Array[]) {
  const source = new RequestBodySource(framing, flow)
  const counts = pieces.map((piece) => source.push(piece))
  const chunks: Uint8Array[] = []
  const reader = source.stream.getReader()
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value)
  const buffers = new Set(pieces.map((p) => p.buffer))
  // no empty piece: a writer re-chunking the body upstream would send it as the last chunk
  return { counts, done: source.done, data: chunks.flatMap((c) => [...c]), views: chunks.every((c) => buffers.has(c.buffer) && c.byteLength > 0) }
}

/** What each push must take: all of a piece up to the body's end, nothing after it. */
function expectedCounts(pieces: Uint8Array[], bodyBytes: number): number[] {
  let left = bodyBytes
  return pieces.map((piece) => {
    const take = Math.min(left, piece.byteLength)
    left -= take
    return take
  })
}

type Verdict = { data: number[]; consumed: number; done: boolean; error?: [number, string] }

/** The decoder fed any bytes in pieces: the verdict, and a failed test if anything throws or the error is not the documented one. */
function decodeInPieces(pieces: Uint8Array[], maxTrailerBytes?: number): Verdict {
  const data: number[] = []
  const decoder = new RequestChunkedDecoder({ chunkData: (bytes) => void (bytes.byteLength > 0 ? data.push(...bytes) : data.push(-1)) }, maxTrailerBytes)
  let consumed = 0
  for (const piece of pieces) {
    if (decoder.done || decoder.error) break
    consumed += decoder.push(piece)
  }
  const error = decoder.error
  if (error === undefined) return { data, consumed, done: decoder.done }
  expect(error).toBeInstanceOf(RequestBodyError)
  expect([error.status, error.detail]).toEqual([400, 'http1.codec_error'])
  return { data, consumed, done: decoder.done, error: [error.status, error.detail] }
}

describe('request-body-source properties', () => {
  test('a valid chunked body in any split reads back as its data, each push taking its share', async () => {
    await fc.assert(
      fc.asyncProperty(chunkedModel.chain((m) => fc.tuple(fc.constant(m), cutsOf(chunkedWire(m).length + m.after.byteLength))), async ([model, cuts]) => {
        const wire = encodeLatin1(chunkedWire(model))
        const pieces = piecesOf(join(wire, model.after), cuts)
        const read = await readInPieces('chunked', pieces)
        expect(read.done).toBe(true)
        expect(read.data).toEqual(dataOf(model))
        expect(read.counts).toEqual(expectedCounts(pieces, wire.byteLength))
        expect(read.views).toBe(true)
      }),
      RUNS,
    )
  })

  test('a Content-Length body in any split reads back as its bytes, the rest left', async () => {
    const model = fc.record({ body: fc.uint8Array({ maxLength: 200 }), after: fc.uint8Array({ maxLength: 40 }) })
    await fc.assert(
      fc.asyncProperty(model.chain((m) => fc.tuple(fc.constant(m), cutsOf(m.body.byteLength + m.after.byteLength))), async ([m, cuts]) => {
        const pieces = piecesOf(join(m.body, m.after), cuts)
        const read = await readInPieces({ length: m.body.byteLength }, pieces)
        expect(read.done).toBe(true)
        expect(read.data).toEqual([...m.body])
        expect(read.counts).toEqual(expectedCounts(pieces, m.body.byteLength))
        expect(read.views).toBe(true)
      }),
      RUNS,
    )
  })

  test('every two-piece split of one chunked body, byte by byte', () => {
    const wire = encodeLatin1('3;a=b\r\nabc\r\n0A ;q="x y"\r\n0123456789\r\n00\r\nX-T: v\r\n\r\nGET')
    const whole = decodeInPieces([wire])
    expect(whole).toEqual({ data: [...encodeLatin1('abc0123456789')], consumed: wire.byteLength - 3, done: true })
    for (let cut = 0; cut <= wire.byteLength; cut++) expect(decodeInPieces(piecesOf(wire, [cut]))).toEqual(whole)
  })

  test('random bytes give one verdict in any split, and only the documented error', () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 120 }),
      // hex digits, separators and line ends, so more inputs get past the first size line
      fc.array(fc.oneof(fc.constantFrom(13, 10, 32, 9, 59, 58, 61, 48, 49, 97, 70), fc.integer({ min: 0x20, max: 0x7e })), { maxLength: 120 }).map((c) => Uint8Array.from(c)),
    )
    fc.assert(
      fc.property(bytes.chain((b) => fc.tuple(fc.constant(b), cutsOf(b.byteLength))), ([input, cuts]) => {
        expect(decodeInPieces(piecesOf(input, cuts))).toEqual(decodeInPieces([input]))
      }),
      { numRuns: 1000 },
    )
  })

  test('a valid chunked body with one byte changed, dropped or added gives one verdict in any split', () => {
    const edit = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }), kind: fc.constantFrom('set', 'drop', 'insert') })
    fc.assert(
      fc.property(chunkedModel, edit, fc.array(fc.nat(), { maxLength: 5 }), (model, change, rawCuts) => {
        const clean = [...join(encodeLatin1(chunkedWire(model)), model.after)]
        const at = change.at % clean.length
        if (change.kind === 'set') clean[at] = change.byte
        else if (change.kind === 'drop') clean.splice(at, 1)
        else clean.splice(at, 0, change.byte)
        const input = Uint8Array.from(clean)
        const cuts = rawCuts.map((c) => c % (input.byteLength + 1)).sort((a, b) => a - b)
        expect(decodeInPieces(piecesOf(input, cuts))).toEqual(decodeInPieces([input]))
      }),
      { numRuns: 1000 },
    )
  })

  test('the source gives the decoder\'s verdict, erroring its stream with the documented error', async () => {
    const edit = fc.record({ at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) })
    await fc.assert(
      fc.asyncProperty(chunkedModel, edit, cutsOf(64), async (model, change, cuts) => {
        const input = join(encodeLatin1(chunkedWire(model)), model.after)
        input[change.at % input.byteLength] = change.byte
        const pieces = piecesOf(input, cuts.map((c) => Math.min(c, input.byteLength)))
        const verdict = decodeInPieces(pieces)
        const source = new RequestBodySource('chunked', flow)
        const consumed = pieces.reduce((n, piece) => n + source.push(piece), 0)
        expect(consumed).toBe(verdict.consumed)
        expect(source.done).toBe(verdict.done)
        const reading = source.stream.getReader().read()
        if (verdict.error) {
          expect<unknown[]>([source.error?.status, source.error?.detail]).toEqual(verdict.error)
          await expect(reading).rejects.toBe(source.error!)
        } else {
          expect(source.error).toBeUndefined()
          if (verdict.data.length > 0) expect((await reading).done).toBe(false)
        }
      }),
      RUNS,
    )
  })

  test('under a tight trailer bound the verdict still does not depend on the split', () => {
    fc.assert(
      fc.property(chunkedModel.chain((m) => fc.tuple(fc.constant(m), cutsOf(chunkedWire(m).length))), ([model, cuts]) => {
        const wire = encodeLatin1(chunkedWire(model))
        expect(decodeInPieces(piecesOf(wire, cuts), 12)).toEqual(decodeInPieces([wire], 12))
      }),
      RUNS,
    )
  })
})
