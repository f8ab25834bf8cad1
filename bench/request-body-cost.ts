// CPU per request body, in process: the byte-level listener's RequestBodySource
// (src/http1/request-body-source.ts) pushed the connection's bytes and read back as the proxy path
// reads request.body, on a 90-byte Content-Length body (one piece: a small POST) and on a 1 MiB
// chunked body (16 KiB chunks) arriving in 16 KiB pieces, the connection paused and resumed as the
// source asks. Beside it, floors: a bare ReadableStream holding the same bytes, read the same way,
// and for the chunked body the decoding alone, the source's decoder against the client's
// chunked-decoder.ts. Contenders alternate within each round; min / median / max of the rounds.
//
//   bun bench/request-body-cost.ts [--rounds R] [--small N] [--large N]   (also: deno run -A bench/request-body-cost.ts)

import { parseArgs } from 'node:util'
import { ChunkedDecoder } from '../src/http1/chunked-decoder.ts'
import { RequestBodySource, type BodyFlow } from '../src/http1/request-body-source.ts'
import { RequestChunkedDecoder } from '../src/http1/request-chunked-decoder.ts'
import { runtimeLabel } from './alternating-rounds.ts'

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '7' }, small: { type: 'string', default: '20000' }, large: { type: 'string', default: '40' } } })
const ROUNDS = Number(values.rounds)
const SMALL_BODIES = Number(values.small)
const LARGE_BODIES = Number(values.large)

const encoder = new TextEncoder()
const SMALL = encoder.encode('{"user":"a.example","items":[1,2,3],"note":"a 90-byte JSON body, as a small POST sends"}  ')
if (SMALL.byteLength !== 90) throw new Error(`small body is ${SMALL.byteLength} B`)
const MIB = 1024 * 1024
const PIECE = 16 * 1024
/** 1 MiB of data as 16 KiB chunks, then the last chunk and an empty trailer section, cut into 16 KiB pieces. */
const LARGE_PIECES = (() => {
  const chunk = new Uint8Array(PIECE).fill(0x61)
  const parts: Uint8Array[] = []
  for (let sent = 0; sent < MIB; sent += PIECE) parts.push(encoder.encode(`${PIECE.toString(16)}\r\n`), chunk, encoder.encode('\r\n'))
  parts.push(encoder.encode('0\r\n\r\n'))
  const wire = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const p of parts) {
    wire.set(p, at)
    at += p.byteLength
  }
  const pieces: Uint8Array[] = []
  for (let from = 0; from < wire.byteLength; from += PIECE) pieces.push(wire.slice(from, from + PIECE))
  return pieces
})()

let sink = 0
const NO_FLOW: BodyFlow = { pause() {}, resume() {} }

async function readAll(stream: ReadableStream<Uint8Array>): Promise<number> {
  const reader = stream.getReader()
  let bytes = 0
  for (let next = await reader.read(); !next.done; next = await reader.read()) bytes += next.value.byteLength
  return bytes
}

/** The connection as the source holds it: pushes while not paused, waits for resume() otherwise. */
class PausingFlow implements BodyFlow {
  paused = false
  pauses = 0
  #wake: (() => void) | undefined
  pause(): void {
    this.paused = true
    this.pauses++
  }
  resume(): void {
    this.paused = false
    this.#wake?.()
    this.#wake = undefined
  }
  resumed(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve))
  }
}

let pausesPerLargeBody = 0

const CONTENDERS: { body: string; name: string; run: () => Promise<void> | void }[] = [
  {
    body: 'small',
    name: 'RequestBodySource: push, read by a reader',
    run: async () => {
      const source = new RequestBodySource({ length: 90 }, NO_FLOW)
      source.push(SMALL)
      const read = await readAll(source.stream)
      if (read !== 90) throw new Error(`read ${read} bytes of 90`)
      sink += read
    },
  },
  {
    body: 'small',
    name: 'RequestBodySource: push, new Response(stream).arrayBuffer() (the retry buffer)',
    run: async () => {
      const source = new RequestBodySource({ length: 90 }, NO_FLOW)
      source.push(SMALL)
      sink += (await new Response(source.stream).arrayBuffer()).byteLength
    },
  },
  {
    body: 'small',
    name: 'RequestBodySource: push, source.arrayBuffer() (the retry buffer, joined at once)',
    run: async () => {
      const source = new RequestBodySource({ length: 90 }, NO_FLOW)
      source.push(SMALL)
      sink += (await source.arrayBuffer()).byteLength
    },
  },
  {
    body: 'small',
    name: 'floor: a ReadableStream enqueued and closed in start(), read by a reader',
    run: async () => {
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(SMALL)
          controller.close()
        },
      })
      sink += await readAll(stream)
    },
  },
  {
    body: 'large',
    name: 'RequestBodySource: pushed while not paused, read by a reader',
    run: async () => {
      const flow = new PausingFlow()
      const source = new RequestBodySource('chunked', flow)
      const reading = readAll(source.stream)
      for (const piece of LARGE_PIECES) {
        if (flow.paused) await flow.resumed()
        source.push(piece)
      }
      const read = await reading
      if (read !== MIB) throw new Error(`read ${read} bytes of a MiB`)
      sink += read
      pausesPerLargeBody = flow.pauses
    },
  },
  {
    body: 'large',
    name: 'decoding only: RequestChunkedDecoder (the source\'s)',
    run: () => {
      let bytes = 0
      const decoder = new RequestChunkedDecoder({ chunkData: (piece) => void (bytes += piece.byteLength) })
      for (const piece of LARGE_PIECES) decoder.push(piece)
      sink += bytes
    },
  },
  {
    body: 'large',
    name: 'decoding only: ChunkedDecoder (the client\'s, responses)',
    run: () => {
      let bytes = 0
      const decoder = new ChunkedDecoder()
      for (const piece of LARGE_PIECES) for (const data of decoder.push(piece).data) bytes += data.byteLength
      sink += bytes
    },
  },
]

async function usPerBody(count: number, run: () => Promise<void> | void): Promise<number> {
  const before = process.cpuUsage()
  for (let i = 0; i < count; i++) await run()
  const used = process.cpuUsage(before)
  return (used.user + used.system) / count
}

const counts = { small: SMALL_BODIES, large: LARGE_BODIES }
const runs = CONTENDERS.map(() => [] as number[])
for (const c of CONTENDERS) await usPerBody(Math.ceil(counts[c.body as 'small' | 'large'] / 4), c.run) // warm-up
for (let r = 0; r < ROUNDS; r++) for (const [i, c] of CONTENDERS.entries()) runs[i]!.push(await usPerBody(counts[c.body as 'small' | 'large'], c.run))

console.log(`CPU µs per body, ${ROUNDS} rounds (${SMALL_BODIES} small / ${LARGE_BODIES} large bodies each), contenders alternating (${runtimeLabel}): min / median / max`)
console.log('| body | way | µs/body |')
console.log('|---|---|--:|')
for (const [i, c] of CONTENDERS.entries()) {
  const sorted = runs[i]!.sort((a, b) => a - b)
  const fmt = (v: number) => (c.body === 'small' ? v.toFixed(2) : v.toFixed(0))
  const label = c.body === 'small' ? '90 B, Content-Length, one piece' : '1 MiB chunked (16 KiB chunks), 16 KiB pieces'
  console.log(`| ${label} | ${c.name} | ${fmt(sorted[0]!)} / ${fmt(sorted[Math.floor(sorted.length / 2)]!)} / ${fmt(sorted[sorted.length - 1]!)} |`)
}
console.log(`(the large body paused the connection ${pausesPerLargeBody} times a body)`)
if (sink === 0) console.log('(nothing read)')
