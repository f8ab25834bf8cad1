import { expect, test } from 'bun:test'
import { formatPrefix, prefixLines } from './line-prefix.ts'

test('lines get the padded prefix; a partial line waits for its newline or the flush', () => {
  const out: string[] = []
  const sink = prefixLines(formatPrefix('service1-2/app', undefined), (text) => out.push(text))
  sink.push('one\ntw')
  sink.push('o\r\nthr')
  expect(out.join('')).toBe('service1-2/app      | one\nservice1-2/app      | two\n')
  sink.flush()
  expect(out.join('')).toEndWith('service1-2/app      | thr\n')
  sink.flush()
  expect(out.length).toBe(3)
})

test('colour wraps the prefix only when asked', () => {
  expect(formatPrefix('zipkin', 1)).toBe('\x1b[33mzipkin              |\x1b[0m')
  expect(formatPrefix('zipkin', undefined)).not.toContain('\x1b')
})
