// The UI's fixed files (stylesheet, page scripts, favicon, Lens' config.json) and the Content
// Security Policy every UI answer carries: scripts only from these files, nothing inline, so
// markup smuggled into span data could not run even if escaping ever failed.

import type { Hono, MiddlewareHandler } from 'hono'
import { LIVE_JS } from './client/live-js.ts'
import { SEARCH_JS } from './client/search-js.ts'
import { THEME_JS } from './client/theme-js.ts'
import { TRACE_JS } from './client/trace-js.ts'
import { FAVICON_SVG } from './favicon.ts'
import { LENS_CONFIG } from './lens-config.ts'
import { STYLES } from './styles.ts'

export const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // Bar positions and service colours are style attributes; no stylesheet comes from span data.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ')

export const securityHeaders: MiddlewareHandler = async (c, next) => {
  await next()
  c.res.headers.set('content-security-policy', CSP)
  c.res.headers.set('x-content-type-options', 'nosniff')
  c.res.headers.set('referrer-policy', 'same-origin')
}

const SCRIPTS: Record<string, string> = { 'theme.js': THEME_JS, 'search.js': SEARCH_JS, 'trace.js': TRACE_JS, 'live.js': LIVE_JS }

export function addStaticRoutes(ui: Hono): void {
  const cached = { 'cache-control': 'public, max-age=300' }
  ui.get('/static/app.css', (c) => c.body(STYLES, 200, { ...cached, 'content-type': 'text/css; charset=utf-8' }))
  ui.get('/static/:name', (c) => {
    const script = SCRIPTS[c.req.param('name')]
    if (script === undefined) return c.text('not found', 404)
    return c.body(script, 200, { ...cached, 'content-type': 'text/javascript; charset=utf-8' })
  })
  ui.get('/favicon.svg', (c) => c.body(FAVICON_SVG, 200, { ...cached, 'content-type': 'image/svg+xml' }))
  ui.get('/config.json', (c) => c.json(LENS_CONFIG))
}
