import { describe, expect, test } from 'bun:test'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { LineBuffer } from './line-buffer.ts'
import type { RequestInfo } from '../proxy/request-info.ts'
import { AccessLogOutputs } from './outputs.ts'

function setup(flushIntervalMs = 1000, flushMinBytes = 64 * 1024) {
  const clock = new ManualClock()
  const chunks: string[] = []
  const buffer = new LineBuffer((chunk) => chunks.push(chunk), { flushIntervalMs, flushMinBytes, timers: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as number) } })
  return { clock, chunks, buffer }
}

describe('LineBuffer', () => {
  test('lines wait for the interval, then go out in one write, in order, each with its newline', async () => {
    const { clock, chunks, buffer } = setup(1000)
    buffer.append('a')
    buffer.append('b')
    await clock.advance(999)
    expect(chunks).toEqual([])
    await clock.advance(1)
    expect(chunks).toEqual(['a\nb\n'])
    // Idle: no timer left behind.
    expect(clock.pending()).toBe(0)
    buffer.append('c')
    await clock.advance(1000)
    expect(chunks).toEqual(['a\nb\n', 'c\n'])
  })

  test('a full buffer is written at once, without waiting for the timer', async () => {
    const { clock, chunks, buffer } = setup(60_000, 64 * 1024)
    const line = 'x'.repeat(199)
    for (let i = 0; i < 327; i++) buffer.append(line)
    expect(chunks).toEqual([])
    buffer.append(line)
    expect(chunks).toHaveLength(1)
    expect(chunks[0]!.length).toBe(328 * 200)
    expect(chunks[0]!.length).toBeGreaterThanOrEqual(64 * 1024)
    expect(clock.pending()).toBe(0)
    buffer.append('next')
    expect(buffer.pending).toBe(5)
  })

  test('flush() writes what is buffered now and cancels the timer; an empty flush writes nothing', async () => {
    const { clock, chunks, buffer } = setup(1000)
    buffer.flush()
    expect(chunks).toEqual([])
    buffer.append('a')
    buffer.flush()
    expect(chunks).toEqual(['a\n'])
    expect(clock.pending()).toBe(0)
    await clock.advance(2000)
    expect(chunks).toEqual(['a\n'])
  })

  test('interval 0 writes at the end of the turn', async () => {
    const { clock, chunks, buffer } = setup(0)
    buffer.append('a')
    buffer.append('b')
    expect(chunks).toEqual([])
    await clock.advance(0)
    expect(chunks).toEqual(['a\nb\n'])
  })
})

/** A listener's logger whose format is the line itself (the request record carries only the text here). */
const lineWriter = (outputs: AccessLogOutputs, path: string | undefined) => {
  const log = outputs.loggerFor(path, { format: (info) => info.path })
  return (line: string) => log({ path: line } as RequestInfo)
}

describe('AccessLogOutputs', () => {
  test('one buffer per destination, shared by every listener (and generation) that names it; flush writes them all', () => {
    const clock = new ManualClock()
    const out: Record<string, string[]> = { stdout: [], stderr: [], '/var/log/a.log': [] }
    const outputs = new AccessLogOutputs({
      flushIntervalMs: 1000,
      flushMinBytes: 64 * 1024,
      timers: { setTimeout: (fn, ms) => clock.setTimeout(fn, ms), clearTimeout: (h) => clock.clearTimeout(h as number) },
      stdout: { write: (c) => out.stdout!.push(c) },
      stderr: { write: (c) => out.stderr!.push(c) },
      file: (path) => ({ write: (c) => out[path]!.push(c) }),
    })
    const first = lineWriter(outputs, undefined)
    const again = lineWriter(outputs, '/dev/stdout')
    first('1')
    again('2')
    lineWriter(outputs, '/dev/stderr')('e')
    lineWriter(outputs, '/var/log/a.log')('f')
    outputs.flush()
    expect(out).toEqual({ stdout: ['1\n2\n'], stderr: ['e\n'], '/var/log/a.log': ['f\n'] })
  })

  test('flushAndDrain flushes, then lets each sink wait for what it holds', () => {
    const events: string[] = []
    const outputs = new AccessLogOutputs({
      flushIntervalMs: 1000,
      flushMinBytes: 64 * 1024,
      timers: { setTimeout: () => 0, clearTimeout: () => {} },
      stdout: { write: (c) => events.push(`write ${c.trim()}`), drain: () => events.push('drain') },
      stderr: { write: () => {} },
      file: () => ({ write: () => {} }),
    })
    lineWriter(outputs, undefined)('last')
    outputs.flushAndDrain()
    expect(events).toEqual(['write last', 'drain'])
  })
})
