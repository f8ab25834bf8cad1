import { afterAll, expect, test } from 'bun:test'
import { waitEgressSettled } from './egress-settled.ts'

// An admin whose service2 cluster is empty until `fillsAfterMs`, as a sidecar that resolved service2
// before its replica was in DNS and refreshes later.
const servers: ReturnType<typeof Bun.serve>[] = []
function admin(fillsAfterMs: number): string {
  const started = Date.now()
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: () => new Response(`cluster.service1.membership_total: 2\ncluster.service2.membership_total: ${Date.now() - started >= fillsAfterMs ? 1 : 0}\ncluster.local_service.membership_total: 1\n`),
  })
  servers.push(server)
  return `http://127.0.0.1:${server.port}`
}
afterAll(() => servers.forEach((s) => s.stop(true)))

const records = (service: string) => (service === 'service1' ? ['a', 'b'] : ['c'])

test('waits until every admin holds every service record DNS answers (clusters not named after a service are ignored)', async () => {
  const started = Date.now()
  expect(await waitEgressSettled([admin(0), admin(300)], records, ['service1', 'service2'], { timeoutMs: 5_000 })).toEqual([])
  expect(Date.now() - started).toBeGreaterThanOrEqual(250)
})

test('names what is still missing when the time is up', async () => {
  const late = admin(60_000)
  expect(await waitEgressSettled([late], records, ['service1', 'service2'], { timeoutMs: 300 })).toEqual([`${late}: service2 has 0 of 1`])
})
