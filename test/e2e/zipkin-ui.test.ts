// The bundled Zipkin viewer in a real browser (Debian's chromium via playwright-core): trace
// list, filters, the waterfall of a three-service trace, tags on click, dependencies.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, Page } from 'playwright-core'
import { sampleTrace } from '../../tracing/zipkin-store/sample-trace.ts'
import { SpanStore } from '../../tracing/zipkin-store/span-store.ts'
import { buildZipkinApp } from '../../tracing/zipkin-store/zipkin-app.ts'

const CHROMIUM = '/usr/bin/chromium'
const SCREENSHOT = join(import.meta.dir, '..', '..', 'test-results', 'zipkin-ui.png')
const FAILING_TRACE = '4e441824ec2b6a44ffdc9bb9a6453df3'
const QUICK_TRACE = '7b1c0de5a1f00d11'

describe('zipkin UI in chromium', () => {
  let server: ReturnType<typeof Bun.serve> | undefined
  let browser: Browser | undefined
  let page: Page
  let base: string

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run installs it`)
    }
    const store = new SpanStore({ maxSpans: 1000 })
    const nowUs = Date.now() * 1000
    store.accept(sampleTrace({ traceId: FAILING_TRACE, startUs: nowUs - 3_000_000 }))
    // A quick healthy trace beside it, so the filters have something to leave out.
    store.accept([
      { traceId: QUICK_TRACE, id: '7b1c0de5a1f00d12', name: 'get /service/1', kind: 'SERVER', timestamp: nowUs - 1_000_000, duration: 900, localEndpoint: { serviceName: 'front-proxy' }, tags: { 'http.status_code': '200' } },
    ])
    const app = buildZipkinApp(store)
    server = Bun.serve({ hostname: '127.0.0.1', port: 0, development: false, fetch: (request) => app.fetch(request) })
    base = `http://127.0.0.1:${server.port}`
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      timeout: 30_000,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    })
    page = await browser.newPage({ viewport: { width: 1400, height: 800 } })
    page.setDefaultTimeout(10_000)
  }, 60_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop(true)
  })

  test('the list shows both traces with root, span count and errors; filters narrow it', async () => {
    await page.goto(`${base}/zipkin/`)
    expect(await page.title()).toContain('Traces')
    const rows = page.locator('tr.trace-row')
    expect(await rows.count()).toBe(2)
    const failing = page.locator(`tr.trace-row[data-trace-id="${FAILING_TRACE}"]`)
    expect(await failing.locator('.span-count').innerText()).toBe('6')
    expect(await failing.locator('.errors').innerText()).toContain('1 error')
    expect(await failing.innerText()).toContain('front-proxy')
    expect(await page.locator(`tr.trace-row[data-trace-id="${QUICK_TRACE}"] .errors`).innerText()).toBe('none')
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true })
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-list.png'), fullPage: true })

    await page.selectOption('select[name="serviceName"]', 'service2')
    await page.click('form.filters button[type="submit"]')
    await page.waitForURL(/serviceName=service2/)
    expect(await page.locator('tr.trace-row').count()).toBe(1)

    await page.goto(`${base}/zipkin/?minDuration=5`)
    expect(await page.locator('tr.trace-row').count()).toBe(1)
    expect(await page.locator('tr.trace-row').getAttribute('data-trace-id')).toBe(FAILING_TRACE)
  }, 30_000)

  test('opening a trace shows a nested waterfall, one colour per service, the error marked', async () => {
    await page.goto(`${base}/zipkin/`)
    await page.click(`tr.trace-row[data-trace-id="${FAILING_TRACE}"] td:nth-child(2) a`)
    await page.waitForURL(`${base}/zipkin/traces/${FAILING_TRACE}`)
    const rows = page.locator('#waterfall details.span-row')
    expect(await rows.count()).toBe(6)
    const services = await rows.evaluateAll((els) => els.map((el) => el.getAttribute('data-service')))
    expect(services).toEqual(['front-proxy', 'front-proxy', 'service1', 'service1', 'service2', 'service2'])
    const depths = await rows.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-depth'))))
    expect(depths).toEqual([0, 1, 2, 3, 4, 5])
    const colours = await page.locator('#waterfall .bar').evaluateAll((els) => els.map((el) => getComputedStyle(el).backgroundColor))
    expect(new Set(colours).size).toBe(3)
    expect(colours[0]).toBe(colours[1]!)
    // Children start later and sit further right than their parents.
    const lefts = await page.locator('#waterfall .bar').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().left))
    for (let i = 1; i < lefts.length; i++) expect(lefts[i]!).toBeGreaterThanOrEqual(lefts[i - 1]!)
    expect(await page.locator('details.span-row[data-error="true"]').count()).toBe(1)
    expect(await page.locator('details.span-row[data-error="true"]').getAttribute('data-service')).toBe('service2')
  }, 30_000)

  test('clicking a row shows its tags; the screenshot is saved', async () => {
    const errorRow = page.locator('details.span-row[data-error="true"]')
    expect(await errorRow.locator('.span-detail').isVisible()).toBe(false)
    await errorRow.locator('summary').click()
    expect(await errorRow.getAttribute('open')).not.toBeNull()
    const detail = errorRow.locator('.span-detail')
    expect(await detail.isVisible()).toBe(true)
    expect(await detail.locator('tr.error-tag').innerText()).toContain('upstream returned 503')
    expect(await detail.innerText()).toContain('guid:x-request-id')
    mkdirSync(join(SCREENSHOT, '..'), { recursive: true })
    await page.screenshot({ path: SCREENSHOT, fullPage: true })
    expect(existsSync(SCREENSHOT)).toBe(true)
  }, 30_000)

  test('search by trace id and the dependency view', async () => {
    await page.goto(`${base}/zipkin/dependency`)
    const links = await page.locator('tr.dep-row').evaluateAll((els) => els.map((el) => (el as HTMLElement).innerText.replace(/\s+/g, ' ').trim()))
    expect(links).toEqual(['front-proxy service1 1 0', 'service1 service2 1 1'])
    expect(await page.locator('svg.dep-graph .dep-node').count()).toBe(3)
    await page.screenshot({ path: SCREENSHOT.replace('.png', '-dependencies.png'), fullPage: true })

    await page.fill('header input[name="traceId"]', QUICK_TRACE.toUpperCase())
    await page.press('header input[name="traceId"]', 'Enter')
    await page.waitForURL(/\/zipkin\/traces\//)
    expect(await page.locator('#waterfall details.span-row').count()).toBe(1)
    await page.goto(`${base}/zipkin/traces/00000000000000ff`)
    expect(await page.locator('h1').innerText()).toBe('Trace not found')
  }, 30_000)
})
