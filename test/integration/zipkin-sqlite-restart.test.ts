// `edgeway zipkin --storage sqlite:PATH` as a real process: traces POSTed before a SIGTERM are
// there after a restart, on Bun (bun:sqlite) and on Deno (node:sqlite), and a file written by one
// runtime is read by the other. A path that cannot be opened is one line on stderr and exit 1.

import { afterAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { ProcessGroup, stop, type StoreProcess } from '../support/edgeway-processes.ts'
import { unusedPort } from '../support/sockets.ts'
import { sampleTrace } from '../../tracing/zipkin-store/sample-trace.ts'

const group = new ProcessGroup()
afterAll(() => group.stopAll(), 30_000)

async function startStore(path: string, runtime: 'bun' | 'deno'): Promise<StoreProcess> {
  const port = await unusedPort()
  const child = group.spawn(['zipkin', '--port', String(port), '--storage', `sqlite:${path}`, '--retention', '1d'], {}, runtime)
  await child.waitFor('zipkin store listening on', 30_000)
  return { process: child, url: `http://127.0.0.1:${port}` }
}

async function traceIds(store: StoreProcess): Promise<string[]> {
  const response = await fetch(`${store.url}/api/v2/traces?limit=100&lookback=600000`, { signal: AbortSignal.timeout(5000) })
  expect(response.status).toBe(200)
  return ((await response.json()) as { traceId: string }[][]).map((trace) => trace[0]!.traceId)
}

async function post(store: StoreProcess, traceId: string, idPrefix: string): Promise<void> {
  const spans = sampleTrace({ traceId, startUs: Date.now() * 1000 - 1_000_000, idPrefix })
  const response = await fetch(`${store.url}/api/v2/spans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(spans), signal: AbortSignal.timeout(5000) })
  expect(response.status).toBe(202)
}

describe('sqlite storage survives a restart', () => {
  for (const [first, second] of [['bun', 'bun'], ['deno', 'deno'], ['bun', 'deno']] as const) {
    test(`written on ${first}, read after a restart on ${second}`, async () => {
      const path = join(group.dir, `${first}-${second}.db`)
      const before = await startStore(path, first)
      expect(before.process.stdout()).toContain(`sqlite:${path}, 0 traces`)
      await post(before, '00000000000000e1', 'e1')
      await post(before, '00000000000000e2', 'e2')
      expect((await traceIds(before)).sort()).toEqual(['00000000000000e1', '00000000000000e2'])
      expect(await stop(before.process)).toBe(0)

      const after = await startStore(path, second)
      expect(after.process.stdout()).toContain(`sqlite:${path}, 2 traces`)
      expect((await traceIds(after)).sort()).toEqual(['00000000000000e1', '00000000000000e2'])
      const trace = (await (await fetch(`${after.url}/api/v2/trace/00000000000000e1`)).json()) as unknown[]
      expect(trace).toHaveLength(6)
      // The viewer renders it from the file too, on either runtime.
      const page = await fetch(`${after.url}/zipkin/traces/00000000000000e1`)
      expect(page.status).toBe(200)
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
      expect(await page.text()).toContain('checkstock')
      // And it keeps accepting: a late half merges into the stored span.
      await post(after, '00000000000000e1', 'e1')
      expect(((await (await fetch(`${after.url}/api/v2/trace/00000000000000e1`)).json()) as unknown[]).length).toBe(6)
      expect(await stop(after.process)).toBe(0)
    }, 90_000)
  }

  test('a path that cannot be opened: one line on stderr, exit 1', async () => {
    const child = group.spawn(['zipkin', '--port', String(await unusedPort()), '--storage', 'sqlite:/nonexistent-dir/x/traces.db'])
    expect(await child.exited).toBe(1)
    expect(child.stderr().trim().split('\n')).toHaveLength(1)
    expect(child.stderr()).toStartWith('zipkin: cannot open sqlite:/nonexistent-dir/x/traces.db: ')
  }, 30_000)
})
