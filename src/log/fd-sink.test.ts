import { describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FdSink, linePieces, PIPE_ATOMIC_BYTES } from './fd-sink.ts'

const decoder = new TextDecoder()
const line = (i: number) => `line ${String(i).padStart(4, '0')} ${'x'.repeat(90)}\n`

/** A pipe-like descriptor: takes at most `room` bytes until the reader reads; EAGAIN when full. */
function fakePipe(room: number) {
  const writes: string[] = []
  let free = room
  const timers: (() => void)[] = []
  const fs = {
    openSync: () => 9,
    fstatSync: () => ({ isFile: () => false }),
    writeSync: (_fd: number, bytes: Uint8Array, offset: number, length: number) => {
      if (free === 0 || (length <= PIPE_ATOMIC_BYTES && length > free)) throw Object.assign(new Error('EAGAIN: resource temporarily unavailable, write'), { code: 'EAGAIN' })
      const n = Math.min(length, free)
      free -= n
      writes.push(decoder.decode(bytes.subarray(offset, offset + n)))
      return n
    },
  }
  return { fs, writes, timers, read: () => void (free = room), text: () => writes.join('') }
}

describe('FdSink', () => {
  test('a file gets one write per chunk, appended (O_APPEND), whatever its size', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'edgeway-fd-sink-')), 'access.log')
    const sink = new FdSink(path, { log: () => {}, timers: { setTimeout: () => 0 } })
    const chunk = Array.from({ length: 700 }, (_, i) => line(i)).join('')
    sink.write(chunk)
    sink.write(line(700))
    expect(readFileSync(path, 'utf8')).toBe(chunk + line(700))
  })

  test('a pipe gets pieces of at most PIPE_BUF bytes, each ending at a line end', () => {
    const pipe = fakePipe(1 << 20)
    const sink = new FdSink(1, { log: () => {}, timers: { setTimeout: () => 0 }, fs: pipe.fs })
    const chunk = Array.from({ length: 700 }, (_, i) => line(i)).join('')
    sink.write(chunk)
    expect(pipe.text()).toBe(chunk)
    expect(pipe.writes.length).toBeGreaterThan(1)
    for (const piece of pipe.writes) {
      expect(piece.length).toBeLessThanOrEqual(PIPE_ATOMIC_BYTES)
      expect(piece.endsWith('\n')).toBe(true)
    }
  })

  test('a full pipe (EAGAIN) keeps the rest in order; drain waits for the reader', () => {
    const pipe = fakePipe(8192)
    const retries: (() => void)[] = []
    let slept = 0
    const sink = new FdSink(1, {
      log: () => {},
      timers: { setTimeout: (fn) => retries.push(fn) },
      fs: pipe.fs,
      // The reader reads while the sink sleeps.
      sleepSync: () => {
        slept++
        pipe.read()
      },
    })
    const lines = Array.from({ length: 300 }, (_, i) => line(i))
    sink.write(lines.slice(0, 200).join(''))
    expect(retries).toHaveLength(1)
    expect(sink.queued).toBeGreaterThan(0)
    // New lines queue behind the old ones instead of jumping the queue.
    sink.write(lines.slice(200).join(''))
    pipe.read()
    retries.shift()!()
    sink.drain()
    expect(slept).toBeGreaterThan(0)
    expect(sink.queued).toBe(0)
    expect(pipe.text()).toBe(lines.join(''))
  })

  test('drain gives up after its limit and says how much was dropped', () => {
    const pipe = fakePipe(4096)
    const logs: string[] = []
    const sink = new FdSink(1, { log: (l) => logs.push(l), timers: { setTimeout: () => 0 }, fs: pipe.fs, sleepSync: () => {} })
    sink.write(Array.from({ length: 100 }, (_, i) => line(i)).join(''))
    sink.drain(0)
    expect(logs).toHaveLength(1)
    expect(logs[0]).toContain('bytes dropped')
  })

  test('an error other than a full pipe is said once and the lines are dropped from then on', () => {
    const logs: string[] = []
    const sink = new FdSink('/nonexistent-dir/access.log', { log: (l) => logs.push(l), timers: { setTimeout: () => 0 } })
    sink.write(line(1))
    sink.write(line(2))
    expect(logs).toHaveLength(1)
    expect(logs[0]).toContain('"/nonexistent-dir/access.log"')
  })
})

describe('linePieces', () => {
  const bytes = (s: string) => new TextEncoder().encode(s)
  const text = (pieces: Uint8Array[]) => pieces.map((p) => decoder.decode(p))
  test('small chunks stay whole; larger ones split at the last line end that fits', () => {
    expect(text(linePieces(bytes('a\nb\n'), 10))).toEqual(['a\nb\n'])
    expect(text(linePieces(bytes('aaa\nbbb\nccc\n'), 8))).toEqual(['aaa\nbbb\n', 'ccc\n'])
    expect(text(linePieces(bytes('aaa\nbbb\nccc\n'), 5))).toEqual(['aaa\n', 'bbb\n', 'ccc\n'])
  })
  test('a line longer than the limit is a piece of its own', () => {
    expect(text(linePieces(bytes('a\nbbbbbbbbbb\nc\n'), 4))).toEqual(['a\n', 'bbbbbbbbbb\n', 'c\n'])
  })
})
