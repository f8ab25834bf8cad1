// The other views in chromium: the dependency graph (every edge visible, counts, time picker),
// compare two traces, the live tail, opening a trace file without storing it, and config.json.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from 'playwright-core'
import { sampleTrace } from '../../tracing/zipkin-store/sample-trace.ts'
import { collectErrors, demoSpans, FAILING_TRACE, RESULTS, SECOND_TRACE, startUi, type UiHarness } from '../support/zipkin-ui.ts'

let ui: UiHarness
let page: Page
let errors: string[]
const nowUs = Date.now() * 1000

beforeAll(async () => {
  // Beside the demo traces, a call that skips a hop: front-proxy → service2 directly.
  const skip = [
    { traceId: '00000000000000d1', id: '00000000000000d1', name: 'get /direct', kind: 'CLIENT' as const, timestamp: nowUs - 500_000, duration: 800, localEndpoint: { serviceName: 'front-proxy' } },
    { traceId: '00000000000000d1', id: '00000000000000d2', parentId: '00000000000000d1', name: 'get /direct', kind: 'SERVER' as const, timestamp: nowUs - 490_000, duration: 700, localEndpoint: { serviceName: 'service2' } },
  ]
  ui = await startUi([...demoSpans(nowUs), ...skip])
  page = await ui.page()
  errors = collectErrors(page)
}, 60_000)
afterAll(() => ui?.close())

describe('dependency view', () => {
  test('every edge is drawn clear of the other boxes, with call and error counts', async () => {
    await page.goto(`${ui.base}/zipkin/dependency`)
    const links = await page.locator('tr.dep-row').evaluateAll((els) => els.map((el) => (el as HTMLElement).innerText.replace(/\s+/g, ' ').trim()))
    expect(links).toEqual(['front-proxy service1 2 0', 'front-proxy service2 1 0', 'service1 service2 2 2'])
    expect(await page.locator('svg.dep-graph .dep-node').count()).toBe(3)
    // The front-proxy → service2 edge, sampled along its rendered path, never enters service1's box.
    const hidden = await page.evaluate(() => {
      const box = document.querySelector('.dep-node[data-service="service1"] rect')!.getBoundingClientRect()
      const path = document.querySelector('.dep-edge[data-parent="front-proxy"][data-child="service2"] path') as SVGPathElement
      const svg = path.ownerSVGElement!
      const inside: number[] = []
      for (let at = 0; at <= path.getTotalLength(); at += 2) {
        const p = path.getPointAtLength(at).matrixTransform(svg.getScreenCTM()!)
        if (p.x > box.left && p.x < box.right && p.y > box.top && p.y < box.bottom) inside.push(at)
      }
      return inside.length
    })
    expect(hidden).toBe(0)
    expect(await page.locator('.dep-edge[data-parent="service1"] text').innerHTML()).toContain('2 (2 err)')
    await ui.screenshot(page, 'dependencies')
  }, 30_000)

  test('the time picker narrows the window and lives in the URL', async () => {
    await page.selectOption('#f-lookback', 'custom')
    await page.fill('input[name="start"]', new Date(Date.now() - 86_400_000).toISOString().slice(0, 16))
    await page.fill('input[name="end"]', new Date(Date.now() - 3_600_000).toISOString().slice(0, 16))
    await page.click('form.filters button[type="submit"]')
    await page.waitForURL(/lookback=custom/)
    expect(await page.locator('tr.dep-row').count()).toBe(0)
    await page.goto(`${ui.base}/zipkin/dependency?lookback=5m`)
    expect(await page.locator('tr.dep-row').count()).toBe(3)
  }, 30_000)
})

describe('compare view', () => {
  test('two traces side by side; operations by difference, the slower one marked', async () => {
    await page.goto(`${ui.base}/zipkin/traces/${FAILING_TRACE}`)
    await page.click('text=Compare…')
    await page.waitForURL(/compare\?a=/)
    await page.fill('input[name="b"]', SECOND_TRACE)
    await page.click('form.filters button[type="submit"]')
    await page.waitForURL(/b=5af7183fb1d4cf5f/)
    expect(await page.locator('[data-side]').count()).toBe(2)
    const first = page.locator('tr.compare-row').first()
    expect(await first.getAttribute('data-name')).toBe('checkstock')
    expect(await first.getAttribute('data-delta-us')).toBe('2800')
    expect(await first.locator('.delta-up').innerText()).toBe('+2.80ms')
    await ui.screenshot(page, 'compare')
    await page.goto(`${ui.base}/zipkin/compare?a=${FAILING_TRACE}&b=00000000000000ee`)
    expect(await page.locator('.notice.error').innerText()).toContain('No trace 00000000000000ee')
  }, 30_000)
})

describe('live tail', () => {
  test('new traces appear on top while following; pause stops it', async () => {
    await page.goto(`${ui.base}/zipkin/live`)
    await page.waitForFunction(() => document.querySelectorAll('#live-rows tr').length === 4)
    ui.store.accept(sampleTrace({ traceId: '00000000000000f1', startUs: Date.now() * 1000 - 1000, idPrefix: 'f1' }))
    await page.waitForFunction(() => document.querySelector('#live-rows tr')?.getAttribute('data-trace-id') === '00000000000000f1', undefined, { timeout: 10_000 })
    expect(await page.locator('#live-rows tr').first().locator('.errors').innerText()).toBe('1 error')
    await ui.screenshot(page, 'live')
    await page.click('#live-pause')
    ui.store.accept(sampleTrace({ traceId: '00000000000000f2', startUs: Date.now() * 1000 - 1000, idPrefix: 'f2' }))
    await page.waitForTimeout(2500)
    expect(await page.locator('#live-rows tr[data-trace-id="00000000000000f2"]').count()).toBe(0)
    expect(await page.locator('#live-status').innerText()).toBe('paused')
  }, 30_000)
})

describe('open a trace file', () => {
  test('a downloaded trace file is shown without being stored; a bad file is refused with the reason', async () => {
    const file = join(RESULTS, 'uploaded-trace.json')
    writeFileSync(file, JSON.stringify(sampleTrace({ traceId: '00000000000000ab', startUs: 1_000_000, idPrefix: 'ab' })))
    await page.goto(`${ui.base}/zipkin/upload`)
    await page.setInputFiles('input[type="file"]', file)
    await page.click('#upload button[type="submit"]')
    await page.waitForURL(/\/zipkin\/upload/)
    expect(await page.locator('#waterfall details.span-row').count()).toBe(6)
    expect(await page.locator('.notice').innerText()).toContain('nothing was stored')
    expect(ui.store.getTrace('00000000000000ab')).toBeUndefined()
    await ui.screenshot(page, 'upload')
    await page.goto(`${ui.base}/zipkin/upload`)
    await page.fill('textarea[name="json"]', '[{"traceId":"xyz","id":"1"}]')
    await page.click('#upload button[type="submit"]')
    expect(await page.locator('.notice.error').innerText()).toContain('spans[0].traceId')
  }, 30_000)

  test('config.json speaks Lens; the favicon is served', async () => {
    const config = (await (await fetch(`${ui.base}/zipkin/config.json`)).json()) as Record<string, unknown>
    expect(config).toMatchObject({ searchEnabled: true, queryLimit: 10, dependency: { enabled: true } })
    const icon = await fetch(`${ui.base}/zipkin/favicon.svg`)
    expect(icon.headers.get('content-type')).toBe('image/svg+xml')
    expect(errors.filter((e) => !e.includes('status of 4'))).toEqual([])
  })
})
