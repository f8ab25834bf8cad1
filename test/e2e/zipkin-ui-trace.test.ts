// The trace view in chromium: the nested waterfall with one colour per service, the span detail
// (tags, annotations, endpoints, raw JSON), folding subtrees, find in trace, zooming from the
// minimap, links to a span, and the JSON download.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import type { Page } from 'playwright-core'
import { collectErrors, FAILING_TRACE, startUi, type UiHarness } from '../support/zipkin-ui.ts'

let ui: UiHarness
let page: Page
let errors: string[]

beforeAll(async () => {
  ui = await startUi()
  page = await ui.page()
  errors = collectErrors(page)
}, 60_000)
afterAll(() => ui?.close())

const rows = () => page.locator('#waterfall details.span-row')
const visibleRows = () => page.locator('#waterfall details.span-row:not([hidden])').count()

describe('trace view', () => {
  test('from the list: a nested waterfall, one colour per service, the error marked', async () => {
    await page.goto(`${ui.base}/zipkin/`)
    await page.click(`tr.trace-row[data-trace-id="${FAILING_TRACE}"] td:first-child a`)
    await page.waitForURL(`${ui.base}/zipkin/traces/${FAILING_TRACE}`)
    expect(await rows().count()).toBe(6)
    expect(await rows().evaluateAll((els) => els.map((el) => el.getAttribute('data-service')))).toEqual(['front-proxy', 'front-proxy', 'service1', 'service1', 'service2', 'service2'])
    expect(await rows().evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-depth'))))).toEqual([0, 1, 2, 3, 4, 5])
    const colours = await page.locator('#waterfall .bar').evaluateAll((els) => els.map((el) => getComputedStyle(el).backgroundColor))
    expect(new Set(colours).size).toBe(3)
    expect(colours[0]).toBe(colours[1]!)
    const lefts = await page.locator('#waterfall .bar').evaluateAll((els) => els.map((el) => el.getBoundingClientRect().left))
    for (let i = 1; i < lefts.length; i++) expect(lefts[i]!).toBeGreaterThanOrEqual(lefts[i - 1]!)
    expect(await page.locator('details.span-row[data-error="true"]').getAttribute('data-service')).toBe('service2')
    expect(await page.locator('#minimap .mm-bar').count()).toBe(6)
  }, 30_000)

  test('a row opens its detail: tags (error first), annotations, endpoints and the raw JSON', async () => {
    const row = page.locator('details.span-row[data-error="true"]')
    expect(await row.locator('.span-detail').isVisible()).toBe(false)
    await row.locator('summary .name').click()
    const detail = row.locator('.span-detail')
    expect(await detail.isVisible()).toBe(true)
    expect(await detail.locator('tr.tag').first().innerText()).toContain('upstream returned 503')
    expect(await detail.innerText()).toContain('guid:x-request-id')
    expect(await detail.locator('tr.annotation').innerText()).toContain('upstream reset')
    expect(await detail.locator('tr.endpoint').innerText()).toContain('service2 127.0.0.3:8000')
    const raw = JSON.parse(await detail.locator('pre.raw-json').innerText()) as { id: string; shared: boolean }
    expect(raw).toMatchObject({ id: 'a100000000000003', shared: true })
    await ui.screenshot(page, 'trace-detail')
  }, 30_000)

  test('folding a subtree hides its descendants; fold all and unfold all', async () => {
    await page.goto(`${ui.base}/zipkin/traces/${FAILING_TRACE}`)
    await rows().nth(2).locator('.toggle').click()
    expect(await visibleRows()).toBe(3)
    expect(await rows().nth(2).locator('.hidden-count').innerText()).toBe('(3 hidden)')
    // The click folds; it does not open the row's detail.
    expect(await rows().nth(2).getAttribute('open')).toBeNull()
    await rows().nth(2).locator('.toggle').click()
    expect(await visibleRows()).toBe(6)
    await page.click('#collapse-all')
    expect(await visibleRows()).toBe(1)
    await page.click('#expand-all')
    expect(await visibleRows()).toBe(6)
  }, 30_000)

  test('find in trace marks matches, counts them, and shows those inside folded subtrees', async () => {
    await page.click('#collapse-all')
    await page.fill('#find', 'checkstock')
    expect(await page.locator('#find-count').innerText()).toBe('1 of 6 spans')
    const match = page.locator('details.span-row.match')
    expect(await match.getAttribute('data-service')).toBe('service2')
    expect(await match.isVisible()).toBe(true)
    // Span ids match too (also as a parent id in the detail: a...03 is the shared pair and its child).
    await page.fill('#find', 'a100000000000004')
    expect(await page.locator('#find-count').innerText()).toBe('1 of 6 spans')
    await page.fill('#find', 'no such text')
    expect(await page.locator('#find-count').innerText()).toBe('0 of 6 spans')
    await page.fill('#find', '')
    expect(await page.locator('details.span-row.match').count()).toBe(0)
    await page.click('#expand-all')
  }, 30_000)

  test('dragging on the minimap zooms the waterfall to that window; double-click resets', async () => {
    await page.goto(`${ui.base}/zipkin/traces/${FAILING_TRACE}`)
    const box = (await page.locator('#minimap').boundingBox())!
    const ticksBefore = await page.locator('#ticks span').allInnerTexts()
    await page.mouse.move(box.x + box.width * 0.5, box.y + 10)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width * 0.75, box.y + 20, { steps: 4 })
    await page.mouse.up()
    expect(await page.locator('#zoom-note').isVisible()).toBe(true)
    const ticksAfter = await page.locator('#ticks span').allInnerTexts()
    expect(ticksAfter).not.toEqual(ticksBefore)
    expect(ticksAfter[0]).toBe('6.20ms')
    // The root bar now covers the whole zoomed track.
    const root = await page.locator('#waterfall .bar').first().evaluate((el) => (el as HTMLElement).style.left)
    expect(root).toMatch(/^0(\.0+)?%$/)
    await ui.screenshot(page, 'trace-zoomed')
    await page.locator('#minimap').dblclick()
    expect(await page.locator('#zoom-note').isVisible()).toBe(false)
    expect(await page.locator('#ticks span').allInnerTexts()).toEqual(ticksBefore)
  }, 30_000)

  test('#span-<id> opens that span; Download JSON serves the trace as a file', async () => {
    await page.goto(`${ui.base}/zipkin/traces/${FAILING_TRACE}#span-a100000000000004`)
    expect(await page.locator('details.span-row[data-span-id="a100000000000004"]').getAttribute('open')).not.toBeNull()
    const download = page.locator('#download')
    expect(await download.getAttribute('download')).toBe(`trace-${FAILING_TRACE}.json`)
    const [file] = await Promise.all([page.waitForEvent('download'), download.click()])
    const body = JSON.parse(readFileSync((await file.path())!, 'utf8')) as unknown[]
    expect(body).toHaveLength(6)
    await ui.screenshot(page, 'trace')
    expect(errors).toEqual([])
  }, 30_000)
})
