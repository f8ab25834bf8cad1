import { expect, test } from 'bun:test'
import { isoTime } from './access-log.ts'

test('isoTime matches toISOString, within a second, across seconds, days and years', () => {
  const instants = [0, 1, 9, 10, 99, 100, 999, 1000, 1_700_000_000_000, 1_700_000_000_007, 1_700_000_000_999, 1_700_000_001_000, Date.UTC(2026, 11, 31, 23, 59, 59, 999), Date.UTC(2027, 0, 1), Date.now()]
  for (const ms of [...instants, ...instants.reverse()]) expect(isoTime(ms)).toBe(new Date(ms).toISOString())
})
