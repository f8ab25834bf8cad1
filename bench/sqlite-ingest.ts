// Micro-bench of the SQLite trace store's ingest (`edgeway zipkin --storage sqlite:PATH`): CPU µs
// per span posted, for many small traces (one POST of 5 spans each) and for one trace that grows
// to 10,000 spans in POSTs of 100 (where re-reading the trace on every POST made ingest quadratic),
// plus a late half of an existing span merged into that large trace. A fresh file in a temp dir
// per round; prints the median of the rounds. `bun bench/sqlite-ingest.ts` (or `deno run -A
// bench/sqlite-ingest.ts`). CPU, not wall time: a busy machine disturbs it less.

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { cpuUsage } from 'node:process'
import type { Span } from '../tracing/zipkin-store/span-model.ts'
import { loadSqliteDriver } from '../tracing/zipkin-store/storage/open-sqlite.ts'
import { SqliteTraceStore } from '../tracing/zipkin-store/storage/sqlite-trace-store.ts'

const runtime = typeof (globalThis as { Deno?: unknown }).Deno === 'undefined' ? 'bun' : 'deno'
const open = await loadSqliteDriver(runtime)
const ROUNDS = 3
const hex = (n: number, width = 16) => n.toString(16).padStart(width, '0')

function span(trace: number, id: number, parent?: number): Span {
  return {
    traceId: hex(trace),
    id: hex(id + 1),
    ...(parent !== undefined && { parentId: hex(parent + 1) }),
    name: 'router service1 egress',
    kind: 'CLIENT',
    timestamp: 1_700_000_000_000_000 + id,
    duration: 1200,
    localEndpoint: { serviceName: 'front-proxy', ipv4: '127.0.0.1' },
    remoteEndpoint: { serviceName: 'service1', ipv4: '127.0.0.2', port: 8000 },
    tags: { 'http.method': 'GET', 'http.status_code': '200', 'guid:x-request-id': `req-${trace}-${id}`, component: 'proxy' },
  }
}

function cpuUs(work: () => void): number {
  const before = cpuUsage()
  work()
  const used = cpuUsage(before)
  return used.user + used.system
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

const results = { small: [] as number[], large: [] as number[], lateHalf: [] as number[] }
for (let round = 0; round < ROUNDS; round++) {
  const dir = mkdtempSync(join(tmpdir(), 'edgeway-sqlite-bench-'))
  try {
    const store = new SqliteTraceStore(open(join(dir, 'traces.db')), { maxSpans: 1_000_000 })
    const smallTraces = 1000
    results.small.push(
      cpuUs(() => {
        for (let t = 0; t < smallTraces; t++) store.accept([0, 1, 2, 3, 4].map((i) => span(t + 1, i, i === 0 ? undefined : 0)))
      }) / (smallTraces * 5),
    )
    const large = 0xbeef
    results.large.push(
      cpuUs(() => {
        for (let post = 0; post < 100; post++) store.accept(Array.from({ length: 100 }, (_, i) => span(large, post * 100 + i, post * 100 + i === 0 ? undefined : 0)))
      }) / 10_000,
    )
    results.lateHalf.push(cpuUs(() => store.accept([{ traceId: hex(large), id: hex(5001), tags: { late: 'tag' } }])))
    if (store.getTrace(hex(large))?.length !== 10_000) throw new Error('the large trace lost spans')
    store.close()
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
console.log(`SQLite ingest on ${runtime}, median of ${ROUNDS} rounds, CPU time:`)
console.log(`  1000 traces x 5 spans, one POST each:        ${median(results.small).toFixed(1)} µs/span`)
console.log(`  one trace to 10,000 spans, 100 per POST:      ${median(results.large).toFixed(1)} µs/span`)
console.log(`  a late half merged into the 10,000-span trace: ${(median(results.lateHalf) / 1000).toFixed(2)} ms`)
