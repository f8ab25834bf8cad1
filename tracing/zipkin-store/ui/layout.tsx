/** @jsxImportSource hono/jsx */
// The page shell every UI page shares: header with navigation, trace-id search and the theme
// toggle; the stylesheet, favicon and page scripts come from /zipkin/static (CSP: no inline script).

import { raw } from 'hono/html'
import type { Child, FC } from 'hono/jsx'

export type NavItem = 'traces' | 'dependencies' | 'trace' | 'compare' | 'live' | 'upload'

type LayoutProps = { title: string; active: NavItem; children?: Child; scripts?: readonly string[] }

const NAV: [NavItem, string, string][] = [
  ['traces', '/zipkin/', 'Traces'],
  ['dependencies', '/zipkin/dependency', 'Dependencies'],
  ['live', '/zipkin/live', 'Live'],
  ['compare', '/zipkin/compare', 'Compare'],
  ['upload', '/zipkin/upload', 'Open JSON'],
]

export const Layout: FC<LayoutProps> = ({ title, active, children, scripts = [] }) => (
  <>
    {raw('<!DOCTYPE html>')}
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title} · edgeway zipkin</title>
        <link rel="icon" href="/zipkin/favicon.svg" type="image/svg+xml" />
        <link rel="stylesheet" href="/zipkin/static/app.css" />
        {/* Before first paint, so a chosen dark theme never flashes light. */}
        <script src="/zipkin/static/theme.js" />
        {scripts.map((name) => <script src={`/zipkin/static/${name}.js`} defer />)}
      </head>
      <body>
        <header class="top">
          <a class="brand" href="/zipkin/"><img src="/zipkin/favicon.svg" width="20" height="20" alt="" />edgeway · zipkin</a>
          <nav>
            {NAV.map(([item, href, label]) => (
              <a href={href} class={active === item ? 'active' : ''}>{label}</a>
            ))}
          </nav>
          <form method="get" action="/zipkin/" role="search">
            <input name="traceId" placeholder="Trace id" aria-label="trace id" />
            <button type="submit">Go</button>
            <button type="button" id="theme-toggle" title="Light or dark theme" aria-label="toggle dark mode">◐</button>
          </form>
        </header>
        <main>{children}</main>
      </body>
    </html>
  </>
)

export const ServiceBadge: FC<{ name: string | undefined; colour: string; count?: number }> = ({ name, colour, count }) => (
  <span class="badge" style={`background:${colour}`} data-service={name ?? ''}>
    {name ?? 'unknown'}
    {count !== undefined ? <>{' '}<span class="n">{count}</span></> : null}
  </span>
)
