// A second edgeway on a port another process holds exits 1 with the one-line error, whatever
// --concurrency says and whether the holder set SO_REUSEPORT (which lets reusePort sockets join
// silently): only the workers of one edgeway share a port. Bun and Deno.

import { afterAll, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { detectRuntime } from '../../src/adapter/detect.ts'
import { ProcessGroup } from '../support/edgeway-processes.ts'

const group = new ProcessGroup()
afterAll(() => group.stopAll())

function yaml(port: number): string {
  return `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: ${port}
    access_log: false
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: none } }]
clusters:
  - { name: none, load_assignment: { endpoints: [{ address: 127.0.0.1, port: 9 }] } }
`
}

const refused = (port: number) => `edgeway: cannot listen on 127.0.0.1:${port} for listener "ingress_http": address already in use\n`

async function secondInstance(runtime: 'bun' | 'deno', port: number, concurrency: string) {
  const path = join(group.dir, `second-${runtime}-${concurrency}.yaml`)
  writeFileSync(path, yaml(port))
  const child = group.spawn(['-c', path, '--concurrency', concurrency], {}, runtime)
  // Without the guard the second instance would start and serve: bounded, it reads as "still running".
  const code = await Promise.race([child.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running after 20 s'), 20_000))])
  child.kill('SIGKILL')
  return { code, stderr: child.stderr(), stdout: child.stdout() }
}

describe('a port held by a process that set SO_REUSEPORT (not edgeway)', () => {
  for (const runtime of ['bun', 'deno'] as const) {
    test(`${runtime}: --concurrency 2 and 1 both refuse it`, async () => {
      const holder = await (await detectRuntime()).serve(
        { hostname: '127.0.0.1', port: 0, idleTimeoutSeconds: 10, maxRequestBodyBytes: 0, reusePort: true },
        () => new Response('the holder\n'),
      )
      try {
        for (const concurrency of ['2', '1']) {
          const second = await secondInstance(runtime, holder.port, concurrency)
          expect({ concurrency, code: second.code, stderr: second.stderr }).toEqual({ concurrency, code: 1, stderr: refused(holder.port) })
        }
        // Every new connection still reaches the holder.
        for (let i = 0; i < 10; i++) expect(await (await fetch(`http://127.0.0.1:${holder.port}/`, { headers: { connection: 'close' } })).text()).toBe('the holder\n')
      } finally {
        await holder.close(true)
      }
    }, 60_000)
  }
})

describe('a port held by a running edgeway with workers', () => {
  for (const runtime of ['bun', 'deno'] as const) {
    test(`${runtime}: a second edgeway exits 1 whatever --concurrency says; the first keeps every connection`, async () => {
      const first = await group.proxy(`first-${runtime}`, yaml(0), {}, { runtime, args: ['--concurrency', '2'], startTimeoutMs: 30_000 })
      const port = first.port('ingress_http')
      for (const concurrency of ['2', '1', '3']) {
        const second = await secondInstance(runtime, port, concurrency)
        expect({ concurrency, code: second.code, stderr: second.stderr }).toEqual({ concurrency, code: 1, stderr: refused(port) })
        expect(second.stdout).not.toContain('ingress_http on')
      }
      const statuses = await Promise.all(Array.from({ length: 20 }, () => fetch(`http://127.0.0.1:${port}/`, { headers: { connection: 'close' } }).then((r) => r.status)))
      expect(statuses.every((s) => s === 503)).toBe(true) // the first's cluster points at port 9: its own 503, from its workers
      const stats = await (await fetch(`${first.url('admin')}/stats?filter=downstream_rq_total`)).text()
      expect(stats).toContain('http.ingress_http.downstream_rq_total: 20')
    }, 90_000)
  }
})
