// The byte path of the buffer: LineBuffer hands a sink with writeBytes its reused array, FdSink keeps
// copies of what waits for a pipe's reader, and AccessLogOutputs.loggerFor writes a plan's bytes.
import { describe, expect, test } from 'bun:test'
import { FdSink, PIPE_ATOMIC_BYTES } from '../log/fd-sink.ts'
import { LineBuffer } from './line-buffer.ts'
import { AccessLogOutputs } from './outputs.ts'
import type { RequestInfo } from '../proxy/request-info.ts'

const decoder = new TextDecoder()
const noTimers = { setTimeout: () => 0, clearTimeout: () => {} }

describe('LineBuffer with a byte sink', () => {
  test('chunks go out as UTF-8 bytes, whole lines in order; the string writer is not used', () => {
    const chunks: string[] = []
    const buffer = new LineBuffer(() => { throw new Error('string path used') }, { flushIntervalMs: 1000, flushMinBytes: 64, timers: noTimers }, (bytes) => chunks.push(decoder.decode(bytes)))
    buffer.append('é1')
    buffer.appendWith((out, n: number) => out.int(n), 42)
    expect(buffer.pending).toBe(7)
    buffer.flush()
    // 64 bytes fill it: the tenth 7-byte line flushes the ten at once, into the same (reused) array.
    for (let i = 0; i < 10; i++) buffer.append(`line ${i}`)
    expect(buffer.pending).toBe(0)
    buffer.flush()
    expect(chunks).toEqual(['é1\n42\n', 'line 0\nline 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\nline 9\n'])
  })

  test('a string sink gets the same lines as a string', () => {
    const chunks: string[] = []
    const buffer = new LineBuffer((chunk) => chunks.push(chunk), { flushIntervalMs: 1000, flushMinBytes: 1 << 20, timers: noTimers })
    buffer.appendWith((out, s: string) => out.text(s), 'ü 😀')
    buffer.append('b')
    buffer.flush()
    expect(chunks).toEqual(['ü 😀\nb\n'])
  })
})

describe('FdSink.writeBytes', () => {
  test('what a full pipe leaves queued is a copy: the caller may reuse its array at once', () => {
    let free = 4096
    const writes: string[] = []
    const fs = {
      openSync: () => 9,
      fstatSync: () => ({ isFile: () => false }),
      writeSync: (_fd: number, bytes: Uint8Array, offset: number, length: number) => {
        if (length > free) throw Object.assign(new Error('EAGAIN'), { code: 'EAGAIN' })
        free -= length
        writes.push(decoder.decode(bytes.subarray(offset, offset + length)))
        return length
      },
    }
    const sink = new FdSink(1, { log: () => {}, timers: { setTimeout: () => 0 }, fs, sleepSync: () => void (free = 1 << 20) })
    const lines = Array.from({ length: 100 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'x'.repeat(90)}\n`).join('')
    const reused = new TextEncoder().encode(lines)
    sink.writeBytes(reused)
    expect(sink.queued).toBeGreaterThan(0)
    reused.fill(63)
    sink.drain()
    expect(writes.join('')).toBe(lines)
    for (const piece of writes) expect(piece.length).toBeLessThanOrEqual(PIPE_ATOMIC_BYTES)
  })
})

describe('AccessLogOutputs.loggerFor', () => {
  test("a plan's byte writer is used where it has one, its format otherwise; both share the path's buffer", () => {
    const chunks: string[] = []
    const outputs = new AccessLogOutputs({
      flushIntervalMs: 1000,
      flushMinBytes: 64 * 1024,
      timers: noTimers,
      stdout: { write: () => { throw new Error('string path used') }, writeBytes: (bytes) => chunks.push(decoder.decode(bytes)) },
      stderr: { write: () => {} },
      file: () => ({ write: () => {} }),
    })
    const info = { method: 'GET', status: 204 } as RequestInfo
    const bytes = outputs.loggerFor(undefined, { format: () => { throw new Error('format used') }, write: (out, i) => (out.text(i.method), out.int(i.status)) })
    const text = outputs.loggerFor('/dev/stdout', { format: (i) => `${i.status} ${i.method}` })
    bytes(info)
    text(info)
    outputs.flush()
    expect(chunks).toEqual(['GET204\n204 GET\n'])
  })
})
