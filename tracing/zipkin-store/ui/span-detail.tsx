/** @jsxImportSource hono/jsx */
// What a waterfall row opens to: the span's ids, timing, both endpoints, tags (error first),
// annotations relative to the trace start, and the raw JSON as stored.

import type { FC } from 'hono/jsx'
import type { Endpoint, Span } from '../span-model.ts'
import { formatDuration, formatTimestamp } from './format.ts'

const endpointText = (e: Endpoint | undefined): string | undefined => {
  if (!e) return undefined
  const address = e.ipv6 ? `[${e.ipv6}]` : e.ipv4
  const where = address && e.port ? `${address}:${e.port}` : (address ?? (e.port ? `:${e.port}` : ''))
  return [e.serviceName, where].filter((part) => part).join(' ') || undefined
}

export const SpanDetail: FC<{ span: Span; startUs: number }> = ({ span, startUs }) => {
  const tags = Object.entries(span.tags ?? {}).sort(([a], [b]) => (a === 'error' ? -1 : b === 'error' ? 1 : a.localeCompare(b)))
  const local = endpointText(span.localEndpoint)
  const remote = endpointText(span.remoteEndpoint)
  return (
    <div class="span-detail">
      <section>
        <h3>Span</h3>
        <table>
          <tbody>
            <tr><td>name</td><td class="mono">{span.name ?? 'unknown'}</td></tr>
            <tr><td>span id</td><td class="mono">{span.id}</td></tr>
            {span.parentId ? <tr><td>parent id</td><td class="mono">{span.parentId}</td></tr> : null}
            <tr><td>kind</td><td>{span.kind ?? 'LOCAL'}{span.shared ? ' (shared)' : ''}{span.debug ? ' debug' : ''}</td></tr>
            <tr><td>start</td><td class="mono">{formatTimestamp(span.timestamp)} (+{formatDuration(span.timestamp === undefined ? undefined : span.timestamp - startUs)})</td></tr>
            <tr><td>duration</td><td>{formatDuration(span.duration)}</td></tr>
            {local ? <tr class="endpoint"><td>local</td><td class="mono">{local}</td></tr> : null}
            {remote ? <tr class="endpoint"><td>remote</td><td class="mono">{remote}</td></tr> : null}
          </tbody>
        </table>
      </section>
      <section>
        <h3>Tags</h3>
        <table>
          <tbody>
            {tags.length === 0 ? <tr><td class="muted">none</td></tr> : null}
            {tags.map(([key, value]) => (
              <tr class={key === 'error' ? 'tag error-tag' : 'tag'}><td class="mono">{key}</td><td class="mono">{value}</td></tr>
            ))}
          </tbody>
        </table>
        {(span.annotations ?? []).length > 0 ? (
          <>
            <h3>Annotations</h3>
            <table>
              <tbody>
                {(span.annotations ?? []).map((a) => (
                  <tr class="annotation"><td>+{formatDuration(a.timestamp - startUs)}</td><td class="mono">{a.value}</td></tr>
                ))}
              </tbody>
            </table>
          </>
        ) : null}
      </section>
      <section class="raw">
        <h3>JSON</h3>
        <pre class="raw-json">{JSON.stringify(span, null, 2)}</pre>
      </section>
    </div>
  )
}
