// The viewer renders the same pages from either storage: every view, fed the same spans at the
// same clock, gives byte-identical HTML from the in-memory store and from SQLite.

import { describe, expect, test } from 'bun:test'
import { sampleTrace } from '../sample-trace.ts'
import { STORAGES } from '../storage/test-storages.ts'
import { buildZipkinApp } from '../zipkin-app.ts'

const NOW_MS = 1_750_000_000_000
const A = '4e441824ec2b6a44ffdc9bb9a6453df3'
const B = '5af7183fb1d4cf5f'
const spans = [
  ...sampleTrace({ traceId: A, startUs: (NOW_MS - 5000) * 1000 }),
  ...sampleTrace({ traceId: B, startUs: (NOW_MS - 2000) * 1000, idPrefix: 'b2' }),
  { traceId: '00000000000000c3', id: '00000000000000c3', name: 'ping', timestamp: (NOW_MS - 1000) * 1000, duration: 40, localEndpoint: { serviceName: 'pinger' } },
]

const PATHS = [
  '/zipkin/',
  '/zipkin/?serviceName=service2&spanName=checkstock&sort=longest',
  `/zipkin/?annotationQuery=${encodeURIComponent('http.status_code=503 and error')}&minDuration=5ms&lookback=1h`,
  '/zipkin/?serviceName=front-proxy&remoteServiceName=service1&limit=1',
  `/zipkin/traces/${A}`,
  '/zipkin/dependency?lookback=1h',
  `/zipkin/compare?a=${A}&b=${B}`,
  '/zipkin/live',
]

describe('the viewer over both storages', () => {
  const apps = STORAGES.map(({ name, make }) => {
    const store = make({ maxSpans: 1000 })
    store.accept(spans)
    return { name, app: buildZipkinApp(store, { nowMs: () => NOW_MS }) }
  })
  for (const path of PATHS) {
    test(path, async () => {
      const pages = await Promise.all(apps.map(async ({ app }) => {
        const response = await app.fetch(new Request(`http://store${path}`))
        return { status: response.status, html: await response.text() }
      }))
      expect(pages[0]!.status).toBe(200)
      expect(pages[1]).toEqual(pages[0]!)
      // And the page shows something from the store (not two identical empty pages).
      expect(pages[0]!.html).toMatch(/span-row|trace-row|dep-row|compare-row|live-rows/)
    })
  }
})
