import { describe, expect, test } from 'bun:test'
import { durationUs, parseSearch } from './search-params.ts'

const NOW = Date.parse('2026-01-02T12:00:00Z')
const search = (query: string) => parseSearch(new URLSearchParams(query), NOW)

describe('parseSearch', () => {
  test('durations: plain milliseconds or with a unit', () => {
    expect(['', '150', '150ms', '1.5s', '800us', '0'].map(durationUs)).toEqual([undefined, 150_000, 150_000, 1_500_000, 800, 1])
    expect(durationUs('soon')).toBeNaN()
  })

  test('every criterion reaches the API query; maxDuration alone means from 1 µs', () => {
    const { query, form } = search('serviceName=Svc&spanName=Op&remoteServiceName=db&annotationQuery=error%20and%20k%3Dv&maxDuration=20&limit=7&sort=longest')
    expect(query).toMatchObject({ serviceName: 'svc', spanName: 'op', remoteServiceName: 'db', minDurationUs: 1, maxDurationUs: 20_000, limit: 7, endTsMs: NOW, lookbackMs: 86_400_000 })
    expect([...query!.annotationQuery]).toEqual([['error', ''], ['k', 'v']])
    expect(form.sort).toBe('longest')
  })

  test('quick picks, raw Lens lookbacks with endTs, and a custom UTC range', () => {
    expect(search('lookback=15m').query).toMatchObject({ lookbackMs: 900_000, endTsMs: NOW })
    expect(search('lookback=60000&endTs=1000000').query).toMatchObject({ lookbackMs: 60_000, endTsMs: 1_000_000 })
    expect(search('lookback=custom&start=2026-01-01T00:00&end=2026-01-01T01:30').query).toMatchObject({
      endTsMs: Date.parse('2026-01-01T01:30:00Z'),
      lookbackMs: 90 * 60_000,
    })
    expect(search('lookback=custom&start=2026-01-01T02:00&end=2026-01-01T01:00').problem).toContain('before its end')
    expect(search('lookback=custom').problem).toContain('needs a start')
    expect(search('lookback=fortnight').problem).toContain('Unknown time range')
    expect(search('sort=random').form.sort).toBe('newest')
  })
})
