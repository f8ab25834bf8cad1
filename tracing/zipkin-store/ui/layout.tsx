/** @jsxImportSource hono/jsx */
// The page shell every UI page shares: header with navigation and trace-id search, inline CSS.

import { raw } from 'hono/html'
import type { Child, FC } from 'hono/jsx'
import { STYLES } from './styles.ts'

type LayoutProps = { title: string; active: 'traces' | 'dependencies' | 'trace'; children?: Child }

export const Layout: FC<LayoutProps> = ({ title, active, children }) => (
  <>
  {raw('<!DOCTYPE html>')}
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{title} · edgeway zipkin</title>
      <style dangerouslySetInnerHTML={{ __html: STYLES }} />
    </head>
    <body>
      <header class="top">
        <a class="brand" href="/zipkin/">edgeway · zipkin</a>
        <nav>
          <a href="/zipkin/" class={active === 'traces' ? 'active' : ''}>Traces</a>
          <a href="/zipkin/dependency" class={active === 'dependencies' ? 'active' : ''}>Dependencies</a>
        </nav>
        <form method="get" action="/zipkin/" role="search">
          <input name="traceId" placeholder="Search by trace id" aria-label="trace id" />
          <button type="submit">Go</button>
        </form>
      </header>
      <main>{children}</main>
    </body>
  </html>
  </>
)

export const ServiceBadge: FC<{ name: string | undefined; colour: string }> = ({ name, colour }) => (
  <span class="badge" style={`background:${colour}`}>{name ?? 'unknown'}</span>
)
