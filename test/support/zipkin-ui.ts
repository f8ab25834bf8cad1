// The bundled Zipkin UI in a real browser for the e2e tests: a store on loopback with the demo
// traces (or what a test puts in it), Debian's chromium through playwright-core, and screenshots
// saved under test-results/.

import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium } from 'playwright-core'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { sampleTrace } from '../../tracing/zipkin-store/sample-trace.ts'
import type { Span } from '../../tracing/zipkin-store/span-model.ts'
import { SpanStore } from '../../tracing/zipkin-store/span-store.ts'
import { buildZipkinApp } from '../../tracing/zipkin-store/zipkin-app.ts'

export const CHROMIUM = '/usr/bin/chromium'
export const RESULTS = join(import.meta.dir, '..', '..', 'test-results')
/** The demo trace front-proxy → service1 → service2 with the service2 span failing. */
export const FAILING_TRACE = '4e441824ec2b6a44ffdc9bb9a6453df3'
/** The same shape, a second later. */
export const SECOND_TRACE = '5af7183fb1d4cf5f'
/** One healthy front-proxy span. */
export const QUICK_TRACE = '7b1c0de5a1f00d11'

export type UiHarness = {
  readonly base: string
  readonly store: SpanStore
  readonly browser: Browser
  page(options?: BrowserContextOptions): Promise<Page>
  /** Saves test-results/zipkin-ui-<name>.png (full page) and returns its path. */
  screenshot(page: Page, name: string): Promise<string>
  close(): Promise<void>
}

export function demoSpans(nowUs: number): Span[] {
  return [
    ...sampleTrace({ traceId: FAILING_TRACE, startUs: nowUs - 3_000_000 }),
    ...sampleTrace({ traceId: SECOND_TRACE, startUs: nowUs - 2_000_000, idPrefix: 'b2' }).map((span) =>
      // The second trace is slower in service2, for the compare view.
      span.localEndpoint?.serviceName === 'service2' && span.name === 'checkstock' ? { ...span, duration: 7_000 } : span,
    ),
    { traceId: QUICK_TRACE, id: '7b1c0de5a1f00d12', name: 'get /service/1', kind: 'SERVER', timestamp: nowUs - 1_000_000, duration: 900, localEndpoint: { serviceName: 'front-proxy' }, tags: { 'http.status_code': '200', 'http.method': 'GET' } },
  ]
}

export async function startUi(spans: Span[] = demoSpans(Date.now() * 1000)): Promise<UiHarness> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); .ci/run installs it`)
  const store = new SpanStore({ maxSpans: 10_000 })
  store.accept(spans)
  const app = buildZipkinApp(store)
  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, development: false, fetch: (request) => app.fetch(request) })
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  mkdirSync(RESULTS, { recursive: true })
  return {
    base: `http://127.0.0.1:${server.port}`,
    store,
    browser,
    async page(options = {}) {
      const context = await browser.newContext({ viewport: { width: 1400, height: 850 }, ...options })
      const page = await context.newPage()
      page.setDefaultTimeout(10_000)
      return page
    },
    async screenshot(page, name) {
      const path = join(RESULTS, `zipkin-ui-${name}.png`)
      await page.screenshot({ path, fullPage: true })
      return path
    },
    async close() {
      await browser.close()
      await server.stop(true)
    },
  }
}

/** Script errors and CSP violations the page reported, for tests that expect none. */
export function collectErrors(page: Page): string[] {
  const errors: string[] = []
  page.on('pageerror', (error) => errors.push(String(error)))
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text())
  })
  return errors
}
