import { describe, expect, test } from 'bun:test'
import { errorCount, parseWrk } from './wrk.ts'

// verbatim wrk 4.1.0 reports taken on this machine
const NOT_FOUND = `Running 1s test @ http://127.0.0.1:38124/nope
  1 threads and 5 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.85ms    3.38ms  24.93ms   89.63%
    Req/Sec    12.73k     4.40k   19.81k    80.00%
  Latency Distribution
     50%  120.00us
     75%    2.31ms
     90%    5.34ms
     99%   17.38ms
  12769 requests in 1.01s, 1.62MB read
  Non-2xx or 3xx responses: 12769
Requests/sec:  12593.57
Transfer/sec:      1.60MB
`
const BIG = `Running 1s test @ http://127.0.0.1:38124/service/1/big
  1 threads and 2 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     2.27ms    1.90ms  16.34ms   86.50%
    Req/Sec     0.98k   223.53     1.30k    60.00%
  Latency Distribution
     50%    1.65ms
     75%    3.21ms
     90%    4.52ms
     99%    8.94ms
  985 requests in 1.01s, 0.96GB read
  Socket errors: connect 0, read 3, write 1, timeout 7
Requests/sec:    972.49
Transfer/sec:      0.95GB
`

describe('parseWrk', () => {
  test('reads throughput, latency percentiles in ms and non-2xx', () => {
    const r = parseWrk(NOT_FOUND)
    expect(r.requests).toBe(12769)
    expect(r.elapsedS).toBeCloseTo(1.01)
    expect(r.requestsPerS).toBeCloseTo(12593.57)
    expect(r.p50Ms).toBeCloseTo(0.12)
    expect(r.p99Ms).toBeCloseTo(17.38)
    expect(r.mibPerS).toBeCloseTo(1.6)
    expect(r.non2xx).toBe(12769)
    expect(r.socketErrors).toEqual({ connect: 0, read: 0, write: 0, timeout: 0 })
    expect(errorCount(r)).toBe(12769)
  })

  test('converts GB (base 1024) to MiB and counts socket errors', () => {
    const r = parseWrk(BIG)
    expect(r.mibPerS).toBeCloseTo(0.95 * 1024)
    expect(r.mibRead / r.requests).toBeCloseTo(0.998, 2)
    expect(r.socketErrors).toEqual({ connect: 0, read: 3, write: 1, timeout: 7 })
    expect(r.non2xx).toBe(0)
    expect(errorCount(r)).toBe(11)
  })

  test('rejects a report without the latency distribution', () => {
    const withoutLatency = NOT_FOUND.replace(/ {5}99%.*\n/, '')
    expect(() => parseWrk(withoutLatency)).toThrow('--latency')
  })
})
