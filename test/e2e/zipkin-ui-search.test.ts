// The search view in chromium: every criterion of the API in the form and the URL, the time
// range quick picks and custom range, sorting, service badges with span counts and error counts.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { collectErrors, FAILING_TRACE, QUICK_TRACE, SECOND_TRACE, startUi, type UiHarness } from '../support/zipkin-ui.ts'

let ui: UiHarness
let page: Page
let errors: string[]

beforeAll(async () => {
  ui = await startUi()
  page = await ui.page()
  errors = collectErrors(page)
}, 60_000)
afterAll(() => ui?.close())

const ids = () => page.locator('tr.trace-row').evaluateAll((rows) => rows.map((row) => row.getAttribute('data-trace-id')))

describe('search view', () => {
  test('lists every trace newest first with root, duration, spans, errors and service badges', async () => {
    await page.goto(`${ui.base}/zipkin/`)
    expect(await page.title()).toContain('Traces')
    expect(await ids()).toEqual([QUICK_TRACE, SECOND_TRACE, FAILING_TRACE])
    const failing = page.locator(`tr.trace-row[data-trace-id="${FAILING_TRACE}"]`)
    expect(await failing.locator('.span-count').innerText()).toBe('6')
    expect(await failing.locator('.errors').innerText()).toContain('1 error')
    const badges = await failing.locator('.services .badge').evaluateAll((els) => els.map((el) => (el as HTMLElement).innerText.replace(/\s+/g, ' ')))
    expect(badges).toEqual(['front-proxy 2', 'service1 2', 'service2 2'])
    expect(await page.locator(`tr.trace-row[data-trace-id="${QUICK_TRACE}"] .errors`).innerText()).toBe('none')
    expect(existsSync(await ui.screenshot(page, 'search'))).toBe(true)
  }, 30_000)

  test('choosing a service loads its span names and remote services; the search lands in the URL', async () => {
    await page.goto(`${ui.base}/zipkin/`)
    await page.selectOption('#f-service', 'service2')
    await page.waitForFunction(() => (document.querySelector('#f-span') as HTMLSelectElement).options.length > 1)
    const spanNames = await page.locator('#f-span option').evaluateAll((els) => els.map((el) => (el as HTMLOptionElement).value))
    expect(spanNames).toEqual(['', 'checkstock', 'ingress get /trace/2'])
    await page.selectOption('#f-span', 'checkstock')
    await page.fill('input[name="minDuration"]', '6ms')
    await page.click('#search button[type="submit"]')
    await page.waitForURL(/serviceName=service2/)
    const url = new URL(page.url())
    expect(url.searchParams.get('spanName')).toBe('checkstock')
    expect(url.searchParams.get('minDuration')).toBe('6ms')
    // Only the second trace's checkstock span lasted 6 ms or more.
    expect(await ids()).toEqual([SECOND_TRACE])
    // The URL alone reproduces the search (a shared link).
    const fresh = await ui.page()
    await fresh.goto(page.url())
    expect(await fresh.locator('tr.trace-row').count()).toBe(1)
    expect(await fresh.locator('#f-span').inputValue()).toBe('checkstock')
    await fresh.context().close()
  }, 30_000)

  test('remote service, tag query, max duration, limit and sort', async () => {
    const search = async (query: string) => {
      await page.goto(`${ui.base}/zipkin/?${query}`)
      return ids()
    }
    expect(await search('serviceName=front-proxy&remoteServiceName=service1')).toEqual([SECOND_TRACE, FAILING_TRACE])
    expect(await search(`annotationQuery=${encodeURIComponent('http.status_code=503 and error')}`)).toEqual([SECOND_TRACE, FAILING_TRACE])
    expect(await search(`annotationQuery=${encodeURIComponent('http.status_code=200')}`)).toEqual([QUICK_TRACE])
    expect(await search('maxDuration=1')).toEqual([QUICK_TRACE])
    expect(await search('limit=1')).toEqual([QUICK_TRACE])
    expect(await search('sort=shortest')).toEqual([QUICK_TRACE, SECOND_TRACE, FAILING_TRACE])
    expect((await search('sort=longest'))[2]).toBe(QUICK_TRACE)
    await page.goto(`${ui.base}/zipkin/?minDuration=soon`)
    expect(await page.locator('.notice.error').innerText()).toContain('Durations are numbers')
  }, 30_000)

  test('time range: a quick pick and a custom UTC range shown only when chosen', async () => {
    errors.length = 0
    expect(await (async () => {
      await page.goto(`${ui.base}/zipkin/?lookback=5m`)
      return ids()
    })()).toHaveLength(3)
    await page.goto(`${ui.base}/zipkin/`)
    expect(await page.locator('#f-custom').isVisible()).toBe(false)
    await page.selectOption('#f-lookback', 'custom')
    expect(await page.locator('#f-custom').isVisible()).toBe(true)
    // A range that ended an hour ago holds none of the traces.
    const hourAgo = new Date(Date.now() - 3_600_000).toISOString().slice(0, 16)
    const dayAgo = new Date(Date.now() - 86_400_000).toISOString().slice(0, 16)
    await page.fill('input[name="start"]', dayAgo)
    await page.fill('input[name="end"]', hourAgo)
    await page.click('#search button[type="submit"]')
    await page.waitForURL(/lookback=custom/)
    expect(await page.locator('tr.trace-row').count()).toBe(0)
    expect(await page.locator('#f-custom').isVisible()).toBe(true)
    expect(errors).toEqual([])
  }, 30_000)

  test('a trace id in the header opens the trace, any case', async () => {
    await page.goto(`${ui.base}/zipkin/`)
    await page.fill('header input[name="traceId"]', QUICK_TRACE.toUpperCase())
    await page.press('header input[name="traceId"]', 'Enter')
    await page.waitForURL(/\/zipkin\/traces\//)
    expect(await page.locator('#waterfall details.span-row').count()).toBe(1)
    await page.goto(`${ui.base}/zipkin/traces/00000000000000ff`)
    expect(await page.locator('h1').innerText()).toBe('Trace not found')
  }, 30_000)
})
