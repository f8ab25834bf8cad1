import { describe, expect, test } from 'bun:test'
import { encodeLatin1 } from './latin1.ts'
import { RequestBodyError } from './request-body-error.ts'
import { RequestHeadError } from './request-head-error.ts'
import { RequestBodySource, type BodyFlow, type BodyFraming } from './request-body-source.ts'

/** A connection's reading as the body holds it: every call recorded, and whether it is paused now. */
class Flow implements BodyFlow {
  calls: string[] = []
  paused = false
  pause(): void {
    expect(this.paused).toBe(false) // the source pairs its calls
    this.paused = true
    this.calls.push('pause')
  }
  resume(): void {
    expect(this.paused).toBe(true)
    this.paused = false
    this.calls.push('resume')
  }
}

const bytes = (text: string) => encodeLatin1(text)
const text = (chunks: Uint8Array[]) => new TextDecoder('latin1').decode(concat(chunks))
function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0))
  let at = 0
  for (const c of chunks) {
    out.set(c, at)
    at += c.byteLength
  }
  return out
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = []
  const reader = stream.getReader()
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(next.value)
  return chunks
}

/** The body of `framing` fed `pieces` in order: what each push took, and the stream read whole. */
async function feed(framing: BodyFraming, pieces: string[]) {
  const source = new RequestBodySource(framing, new Flow())
  const used = pieces.map((p) => source.push(bytes(p)))
  return { source, used, body: text(await readAll(source.stream)) }
}

/** The refusal of a malformed chunked body, fed whole: [status, detail, bytes consumed]. */
function refusal(wire: string): [number, string, number] {
  const source = new RequestBodySource('chunked', new Flow())
  const used = source.push(bytes(wire))
  const error = source.error
  if (error === undefined) throw new Error(`accepted: ${JSON.stringify(wire)}`)
  return [error.status, error.detail, used]
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0))

describe('Content-Length', () => {
  test('exactly N bytes, then done', async () => {
    const { source, used, body } = await feed({ length: 5 }, ['he', 'llo'])
    expect(used).toEqual([2, 3])
    expect(source.done).toBe(true)
    expect(body).toBe('hello')
  })

  test('bytes after the body are left for the next request', async () => {
    const { source, used, body } = await feed({ length: 3 }, ['ab', 'cGET / HTTP/1.1\r\n', 'more'])
    expect(used).toEqual([2, 1, 0])
    expect(source.done).toBe(true)
    expect(body).toBe('abc')
  })

  test('a zero length is done at once and reads as empty', async () => {
    const { source, used, body } = await feed({ length: 0 }, ['GET'])
    expect(used).toEqual([0])
    expect(source.done).toBe(true)
    expect(body).toBe('')
  })

  test('views, not copies: the pieces are the arrived memory', async () => {
    const source = new RequestBodySource({ length: 6 }, new Flow())
    const first = bytes('abc')
    const second = bytes('defNEXT')
    source.push(first)
    source.push(second)
    const chunks = await readAll(source.stream)
    expect(chunks[0]).toBe(first)
    expect(chunks[1]!.buffer).toBe(second.buffer)
    expect(chunks[1]!.byteLength).toBe(3)
  })
})

describe('chunked', () => {
  test('chunks, extensions dropped, the last chunk, trailers dropped, then done', async () => {
    const wire = '3;name=value;flag\r\nabc\r\n0A \t; q="x y"\r\n0123456789\r\n000\r\nX-Sum: 1\r\nX-Other:\tv \r\n\r\n'
    const { source, used, body } = await feed('chunked', [wire + 'GET / HTTP/1.1'])
    expect(source.done).toBe(true)
    expect(source.error).toBeUndefined()
    expect(used).toEqual([wire.length])
    expect(body).toBe('abc0123456789')
  })

  test('one view per chunk piece, into the arrived bytes', async () => {
    const source = new RequestBodySource('chunked', new Flow())
    const wire = bytes('2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n')
    source.push(wire)
    const chunks = await readAll(source.stream)
    expect(chunks.map((c) => [c.buffer === wire.buffer, c.byteOffset, c.byteLength])).toEqual([
      [true, 3, 2],
      [true, 10, 3],
    ])
  })

  test('a chunk split over pushes yields a piece per push', async () => {
    const { used, body } = await feed('chunked', ['5\r\nab', 'c', 'de\r\n0\r\n', '\r\nnext'])
    expect(used).toEqual([5, 1, 7, 2])
    expect(body).toBe('abcde')
  })

  test('leading zeros, upper-case hex and trailing whitespace on the size line are taken', async () => {
    const { body } = await feed('chunked', ['0002\r\nab\r\nA \r\n0123456789\r\n0\r\n\r\n'])
    expect(body).toBe('ab0123456789')
  })

  test('each malformed size line is 400 http1.codec_error, stopping before the offending byte', () => {
    expect(refusal('x\r\n')).toEqual([400, 'http1.codec_error', 0])
    expect(refusal(' 1\r\na\r\n')).toEqual([400, 'http1.codec_error', 0]) // leading whitespace
    expect(refusal('+1\r\na\r\n')).toEqual([400, 'http1.codec_error', 0]) // a sign
    expect(refusal('-1\r\n')).toEqual([400, 'http1.codec_error', 0])
    expect(refusal('\r\n')).toEqual([400, 'http1.codec_error', 0]) // no size
    expect(refusal('1 2\r\n')).toEqual([400, 'http1.codec_error', 2]) // whitespace inside the size
    expect(refusal('1g\r\n')).toEqual([400, 'http1.codec_error', 1])
    expect(refusal('0x1\r\n')).toEqual([400, 'http1.codec_error', 1])
  })

  test('bare LF and bare CR are refused wherever a line ends', () => {
    expect(refusal('1\na\r\n0\r\n\r\n')[2]).toBe(1)
    expect(refusal('1;ext\na\r\n')[2]).toBe(5)
    expect(refusal('1\rx')[2]).toBe(2)
    expect(refusal('1\r\na\n0\r\n\r\n')[2]).toBe(4)
    expect(refusal('1\r\na\rx')[2]).toBe(5)
    expect(refusal('0\r\n\n')[2]).toBe(3)
    expect(refusal('0\r\nX: y\n\r\n')[2]).toBe(7)
    expect(refusal('0\r\n\rx')[2]).toBe(4)
  })

  test('chunk data longer than its size', () => {
    expect(refusal('2\r\nabc\r\n0\r\n\r\n')).toEqual([400, 'http1.codec_error', 5])
  })

  test('a size that would overflow a safe integer is refused by its digits', () => {
    expect(refusal('10000000000000\r\n')).toEqual([400, 'http1.codec_error', 13])
    // 13 significant digits are taken (leading zeros do not count); the body then just waits for its bytes
    const source = new RequestBodySource('chunked', new Flow())
    expect(source.push(bytes('0000fffffffffffff\r\nab'))).toBe(21)
    expect(source.error).toBeUndefined()
  })

  test('a size line (extensions included) past 4096 bytes is refused', () => {
    const long = `1;${'e'.repeat(4093)}`
    expect(long.length).toBe(4095)
    const ok = new RequestBodySource('chunked', new Flow())
    expect(ok.push(bytes(`${long}x\r\n`))).toBe(4098)
    expect(ok.error).toBeUndefined()
    expect(refusal(`${long}xx\r\n`)).toEqual([400, 'http1.codec_error', 4096])
  })

  test('control bytes in an extension are refused', () => {
    expect(refusal('1;a\x00b\r\n')[2]).toBe(3)
    expect(refusal('1;a\x7f\r\n')[2]).toBe(3)
  })

  test('trailer fields are parsed for syntax: obs-fold, whitespace before the colon, no colon, control bytes refused', () => {
    for (const trailer of ['X: a\r\n b\r\n', ' X: a\r\n', 'X : a\r\n', 'X\r\n', ': a\r\n', 'X: a\x01\r\n', 'X: \x7f\r\n', 'X(: a\r\n'])
      expect(refusal(`0\r\n${trailer}\r\n`).slice(0, 2)).toEqual([400, 'http1.codec_error'])
    // obs-text in a value is taken, as in a head
    const source = new RequestBodySource('chunked', new Flow())
    source.push(bytes('0\r\nX: caf\xe9\r\n\r\n'))
    expect(source.done).toBe(true)
  })

  test('the trailer section is bounded (maxTrailerBytes, 60 KiB by default)', () => {
    const small = new RequestBodySource('chunked', new Flow(), { maxTrailerBytes: 10 })
    expect(small.push(bytes('0\r\nX: 12345\r\n\r\n'))).toBe(13)
    expect(small.error?.detail).toBe('http1.codec_error')
    const fits = new RequestBodySource('chunked', new Flow(), { maxTrailerBytes: 11 })
    fits.push(bytes('0\r\nX: 1234\r\n\r\n'))
    expect(fits.done).toBe(true)
    expect(refusal(`0\r\nX: ${'v'.repeat(60 * 1024)}\r\n\r\n`)[2]).toBe(3 + 60 * 1024)
  })

  test('the error is a RequestHeadError (the loop answers both alike) and the stream errors with it', async () => {
    const source = new RequestBodySource('chunked', new Flow())
    source.push(bytes('1\r\na\r\nzz'))
    expect(source.error).toBeInstanceOf(RequestBodyError)
    expect(source.error).toBeInstanceOf(RequestHeadError)
    expect(source.error!.code).toBe('http1.codec_error')
    expect(source.done).toBe(false)
    expect(source.push(bytes('1\r\nb\r\n'))).toBe(0)
    await expect(readAll(source.stream)).rejects.toBe(source.error!)
  })
})

describe('backpressure', () => {
  test('a full queue pauses the connection; the reader taking it below half resumes it', async () => {
    const flow = new Flow()
    const source = new RequestBodySource({ length: 10_000 }, flow, { queueBytes: 1000 })
    const piece = () => new Uint8Array(250)
    for (let i = 0; i < 3; i++) source.push(piece())
    expect(flow.calls).toEqual([])
    source.push(piece())
    expect(flow.calls).toEqual(['pause'])
    // the runtime may hand over a read already made: taken and queued, never dropped
    expect(source.push(piece())).toBe(250)
    const reader = source.stream.getReader()
    await reader.read() // 1000 left
    await reader.read() // 750
    expect(flow.calls).toEqual(['pause'])
    await reader.read() // 500: half the bound
    expect(flow.calls).toEqual(['pause', 'resume'])
    let read = 750
    while (read < 1250) read += (await reader.read()).value!.byteLength
    expect(flow.calls).toEqual(['pause', 'resume'])
  })

  test('a slow reader: the queue never grows past one push over its bound, and every byte arrives in order', async () => {
    const flow = new Flow()
    const total = 256 * 1024
    const source = new RequestBodySource({ length: total }, flow, { queueBytes: 16 * 1024 })
    let sent = 0
    let maxQueued = 0
    // the connection: pushes 4 KiB pieces whenever it is not paused
    const connection = setInterval(() => {
      while (!flow.paused && sent < total) {
        const piece = new Uint8Array(4096).map((_, i) => (sent + i) & 0xff)
        sent += source.push(piece)
        maxQueued = Math.max(maxQueued, sent - received)
      }
      if (sent >= total) clearInterval(connection)
    }, 0)
    let received = 0
    const reader = source.stream.getReader()
    for (;;) {
      await tick() // slow: one piece a turn
      const { done, value } = await reader.read()
      if (done) break
      for (let i = 0; i < value.byteLength; i++) if (value[i] !== ((received + i) & 0xff)) throw new Error(`byte ${received + i}`)
      received += value.byteLength
    }
    expect(received).toBe(total)
    expect(maxQueued).toBeLessThanOrEqual(16 * 1024 + 4096)
    expect(flow.calls.filter((c) => c === 'pause').length).toBeGreaterThan(3)
    expect(flow.paused).toBe(false)
  })

  test('reads made before any byte arrives are each answered, in order, and the end closes the last', async () => {
    const source = new RequestBodySource('chunked', new Flow())
    const reader = source.stream.getReader()
    const reads = [reader.read(), reader.read(), reader.read()]
    source.push(bytes('1\r\na\r\n2\r\nbc\r\n0\r\n\r\n'))
    const [first, second, third] = await Promise.all(reads)
    expect([text([first!.value!]), text([second!.value!]), third!.done]).toEqual(['a', 'bc', true])
  })

  test('many tiny chunks pause by their count too', () => {
    const flow = new Flow()
    const source = new RequestBodySource('chunked', flow)
    source.push(bytes('1\r\nx\r\n'.repeat(1024)))
    expect(flow.calls).toEqual(['pause'])
  })
})

describe('the end of a body', () => {
  test('abort mid-body errors the stream with the cause; push then consumes nothing', async () => {
    const source = new RequestBodySource({ length: 10 }, new Flow())
    source.push(bytes('abc'))
    const reader = source.stream.getReader()
    expect(text([(await reader.read()).value!])).toBe('abc')
    const pending = reader.read()
    const cause = new Error('connection reset')
    source.abort(cause)
    await expect(pending).rejects.toBe(cause)
    expect(source.push(bytes('defg'))).toBe(0)
    expect(source.done).toBe(false)
  })

  test('abort after the last byte changes nothing: the body is whole', async () => {
    const source = new RequestBodySource({ length: 3 }, new Flow())
    source.push(bytes('abc'))
    source.abort(new Error('closed'))
    expect(text(await readAll(source.stream))).toBe('abc')
  })

  test('discard keeps counting the body without queuing it, then leaves the rest', async () => {
    const flow = new Flow()
    const source = new RequestBodySource('chunked', flow, { queueBytes: 4 })
    source.push(bytes('5\r\nabcde\r\n'))
    expect(flow.calls).toEqual(['pause'])
    const reader = source.stream.getReader()
    const closed = reader.closed
    source.discard()
    expect(flow.calls).toEqual(['pause', 'resume']) // the connection reads on
    await expect(closed).rejects.toThrow('discarded')
    expect(source.push(bytes('3\r\nfgh\r\n0\r\n\r\nGET /'))).toBe(13)
    expect(source.done).toBe(true)
  })

  test("the reader's cancel() switches to discard", async () => {
    const flow = new Flow()
    const source = new RequestBodySource({ length: 8 }, flow, { queueBytes: 2 })
    source.push(bytes('ab'))
    expect(flow.paused).toBe(true)
    await source.stream.cancel()
    expect(flow.paused).toBe(false)
    expect(source.push(bytes('cdefghNEXT'))).toBe(6)
    expect(source.done).toBe(true)
  })
})

describe('Expect: 100-continue', () => {
  test('called once, when the stream is first pulled and no byte has arrived', async () => {
    let sent = 0
    const source = new RequestBodySource({ length: 2 }, new Flow(), { continue100: () => sent++ })
    await tick()
    expect(sent).toBe(0) // made, not read: nothing sent
    expect(source.awaitingContinue).toBe(true)
    const reader = source.stream.getReader()
    const first = reader.read()
    await tick()
    expect(sent).toBe(1)
    expect(source.awaitingContinue).toBe(false)
    source.push(bytes('a'))
    expect(text([(await first).value!])).toBe('a')
    const second = reader.read()
    source.push(bytes('b'))
    await second
    expect(sent).toBe(1)
  })

  test('not called when bytes came before the first read, nor for an empty body, nor once cancelled', async () => {
    let sent = 0
    const early = new RequestBodySource({ length: 2 }, new Flow(), { continue100: () => sent++ })
    early.push(bytes('a'))
    expect(early.awaitingContinue).toBe(false)
    const reader = early.stream.getReader()
    await reader.read()
    const pending = reader.read()
    await tick()
    early.push(bytes('b'))
    await pending
    const empty = new RequestBodySource({ length: 0 }, new Flow(), { continue100: () => sent++ })
    expect(empty.awaitingContinue).toBe(false)
    await readAll(empty.stream)
    const cancelled = new RequestBodySource({ length: 5 }, new Flow(), { continue100: () => sent++ })
    await cancelled.stream.cancel()
    expect(cancelled.awaitingContinue).toBe(true) // nothing went out: the loop closes rather than waits
    expect(sent).toBe(0)
  })
})

describe('arrayBuffer (the retry buffer)', () => {
  test('a body that has all arrived is joined at once, exactly its bytes', async () => {
    const flow = new Flow()
    const source = new RequestBodySource({ length: 5 }, flow, { queueBytes: 2 })
    source.push(bytes('ab'))
    source.push(bytes('cdeGET'))
    expect(flow.paused).toBe(true)
    const body = await source.arrayBuffer()
    expect(text([new Uint8Array(body)])).toBe('abcde')
    expect(body.byteLength).toBe(5)
    expect(flow.paused).toBe(false)
    expect(source.stream.locked).toBe(true)
  })

  test('a body still arriving is read to its end; a broken one rejects as the stream does', async () => {
    const source = new RequestBodySource('chunked', new Flow())
    source.push(bytes('2\r\nab\r\n'))
    const whole = source.arrayBuffer()
    await tick()
    source.push(bytes('1\r\nc\r\n0\r\n\r\n'))
    expect(text([new Uint8Array(await whole)])).toBe('abc')
    const broken = new RequestBodySource({ length: 4 }, new Flow())
    broken.push(bytes('ab'))
    const reading = broken.arrayBuffer()
    const cause = new Error('reset')
    broken.abort(cause)
    await expect(reading).rejects.toBe(cause)
    const used = new RequestBodySource({ length: 1 }, new Flow())
    used.stream.getReader()
    await expect(used.arrayBuffer()).rejects.toThrow()
  })
})
