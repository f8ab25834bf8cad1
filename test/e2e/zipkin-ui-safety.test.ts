// Span data is text, never markup: a <script> or an onerror handler in a span name, service
// name, tag or annotation is shown literally and never runs, in every view; the CSP allows only
// the UI's own scripts. And the looks: dark mode (system and toggle), phone width, favicon.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import type { Span } from '../../tracing/zipkin-store/span-model.ts'
import { collectErrors, demoSpans, FAILING_TRACE, startUi, type UiHarness } from '../support/zipkin-ui.ts'

const EVIL_TRACE = '00000000000000ee'
const SCRIPT = '<script>window.__pwned = "name"</script>'
const IMG = '<img src=x onerror="window.__pwned = \'tag\'">'
let ui: UiHarness
const nowUs = Date.now() * 1000

const evil: Span[] = [
  {
    traceId: EVIL_TRACE, id: '00000000000000e1', name: SCRIPT, kind: 'SERVER', timestamp: nowUs - 100_000, duration: 500,
    localEndpoint: { serviceName: '<svg onload="window.__pwned=1">' }, tags: { [IMG]: IMG, 'http.status_code': '500', error: SCRIPT },
    annotations: [{ timestamp: nowUs - 99_000, value: '<iframe src="javascript:window.__pwned=3">' }],
  },
  { traceId: EVIL_TRACE, id: '00000000000000e2', parentId: '00000000000000e1', name: IMG, kind: 'CLIENT', timestamp: nowUs - 90_000, duration: 100, localEndpoint: { serviceName: 'plain' }, remoteEndpoint: { serviceName: '"><script>window.__pwned=4</script>' } },
]

beforeAll(async () => {
  ui = await startUi([...demoSpans(nowUs), ...evil])
}, 60_000)
afterAll(() => ui?.close())

async function pwned(page: Page): Promise<unknown> {
  return page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)
}

describe('span data never runs', () => {
  for (const path of ['/zipkin/', `/zipkin/traces/${EVIL_TRACE}`, '/zipkin/dependency', `/zipkin/compare?a=${EVIL_TRACE}&b=${FAILING_TRACE}`, '/zipkin/live', `/zipkin/?serviceName=${encodeURIComponent('<svg onload="window.__pwned=1">')}`]) {
    test(`${path}: shown as text, nothing executed, no CSP violation needed`, async () => {
      const page = await ui.page()
      const errors = collectErrors(page)
      let dialogs = 0
      page.on('dialog', (dialog) => {
        dialogs++
        void dialog.dismiss()
      })
      const response = await page.goto(`${ui.base}${path}`)
      expect(response!.headers()['content-security-policy']).toContain("script-src 'self'")
      if (path === '/zipkin/live') await page.waitForFunction(() => document.querySelectorAll('#live-rows tr').length > 0)
      if (path.includes('/traces/')) {
        for (const row of await page.locator('details.span-row summary').all()) await row.click()
        expect(await page.locator('body').innerText()).toContain(SCRIPT)
        expect(await page.locator('body').innerText()).toContain(IMG)
        await ui.screenshot(page, 'xss-trace')
      }
      await page.waitForTimeout(200)
      expect(await pwned(page)).toBeUndefined()
      expect(dialogs).toBe(0)
      // Nothing from span data became an element.
      expect(await page.locator('main script, main img, main iframe, main svg[onload]').count()).toBe(0)
      expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([])
      await page.context().close()
    }, 30_000)
  }

  test('an uploaded file with the same markup is shown as text too', async () => {
    const page = await ui.page()
    await page.goto(`${ui.base}/zipkin/upload`)
    await page.fill('textarea[name="json"]', JSON.stringify(evil))
    await page.click('#upload button[type="submit"]')
    await page.waitForSelector('#waterfall')
    expect(await page.locator('#waterfall').innerText()).toContain(SCRIPT)
    expect(await pwned(page)).toBeUndefined()
    await page.context().close()
  }, 30_000)

  test('the CSP really blocks inline script on these pages', async () => {
    const page = await ui.page()
    const errors = collectErrors(page)
    await page.goto(`${ui.base}/zipkin/`)
    await page.evaluate(() => {
      const script = document.createElement('script')
      script.textContent = 'window.__pwned = "inline"'
      document.body.appendChild(script)
    })
    expect(await pwned(page)).toBeUndefined()
    expect(errors.some((e) => /Content Security Policy/i.test(e))).toBe(true)
    await page.context().close()
  }, 30_000)
})

describe('looks', () => {
  const background = (page: Page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor)

  test('dark mode follows the system; the toggle overrides it and is remembered', async () => {
    const page = await ui.page({ colorScheme: 'dark' })
    await page.goto(`${ui.base}/zipkin/traces/${FAILING_TRACE}`)
    expect(await background(page)).toBe('rgb(15, 17, 21)')
    await ui.screenshot(page, 'trace-dark')
    await page.click('#theme-toggle')
    expect(await background(page)).toBe('rgb(246, 247, 249)')
    await page.reload()
    expect(await background(page)).toBe('rgb(246, 247, 249)')
    await page.click('#theme-toggle')
    expect(await background(page)).toBe('rgb(15, 17, 21)')
    await page.context().close()
    const light = await ui.page({ colorScheme: 'light' })
    await light.goto(`${ui.base}/zipkin/`)
    expect(await background(light)).toBe('rgb(246, 247, 249)')
    await light.context().close()
  }, 30_000)

  test('at phone width nothing scrolls sideways', async () => {
    const page = await ui.page({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true })
    for (const [name, path] of [['phone-search', '/zipkin/'], ['phone-trace', `/zipkin/traces/${FAILING_TRACE}`], ['phone-dependencies', '/zipkin/dependency'], ['phone-compare', `/zipkin/compare?a=${EVIL_TRACE}&b=${FAILING_TRACE}`]] as const) {
      await page.goto(`${ui.base}${path}`)
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
      expect(overflow, path).toBeLessThanOrEqual(1)
      await ui.screenshot(page, name)
    }
    await page.context().close()
  }, 30_000)

  test('the favicon is linked from every page', async () => {
    const page = await ui.page()
    await page.goto(`${ui.base}/zipkin/`)
    const href = await page.locator('link[rel="icon"]').getAttribute('href')
    expect((await fetch(`${ui.base}${href}`)).status).toBe(200)
    await page.context().close()
  })
})
