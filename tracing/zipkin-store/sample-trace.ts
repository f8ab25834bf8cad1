// A realistic demo trace, front-proxy → service1 → service2 as edgeway reports it (CLIENT spans
// at egress, shared SERVER spans at ingress, one failing call), for tests and for showing the UI.

import type { Span } from './span-model.ts'

export type SampleTraceOptions = {
  traceId: string
  /** Epoch µs of the first span. */
  startUs: number
  /** Prefix for the six span ids: two hex characters, e.g. 'a1'. */
  idPrefix?: string
}

const id = (prefix: string, n: number): string => `${prefix}${'0'.repeat(13)}${n}`

/** Six spans; the service2 server span carries `error` (upstream 503). */
export function sampleTrace({ traceId, startUs, idPrefix = 'a1' }: SampleTraceOptions): Span[] {
  const at = (offsetUs: number): number => startUs + offsetUs
  const proxy = { serviceName: 'front-proxy', ipv4: '127.0.0.1', port: 8000 }
  const service1 = { serviceName: 'service1', ipv4: '127.0.0.2', port: 8000 }
  const service2 = { serviceName: 'service2', ipv4: '127.0.0.3', port: 8000 }
  const common = { 'guid:x-request-id': '4f1d2c7e-5a0b-4c1e-9d2f-0c8a6b3e7f10', component: 'proxy' }
  return [
    {
      traceId, id: id(idPrefix, 1), name: 'get /trace/2', kind: 'SERVER', timestamp: at(0), duration: 12_400,
      localEndpoint: proxy, remoteEndpoint: { ipv4: '127.0.0.9', port: 51234 },
      tags: { ...common, 'http.method': 'GET', 'http.url': 'http://localhost:8000/trace/2', 'http.status_code': '503', node_id: 'front-proxy-1' },
    },
    {
      traceId, id: id(idPrefix, 2), parentId: id(idPrefix, 1), name: 'router service1 egress', kind: 'CLIENT',
      timestamp: at(350), duration: 11_600, localEndpoint: proxy, remoteEndpoint: { serviceName: 'service1', ipv4: '127.0.0.2', port: 8000 },
      tags: { ...common, upstream_cluster: 'service1', 'http.status_code': '503', response_flags: '-' },
    },
    {
      traceId, id: id(idPrefix, 2), parentId: id(idPrefix, 1), name: 'ingress get /trace/2', kind: 'SERVER', shared: true,
      timestamp: at(900), duration: 10_700, localEndpoint: service1,
      tags: { ...common, 'http.method': 'GET', 'http.status_code': '503', upstream_cluster: 'local_service' },
    },
    {
      traceId, id: id(idPrefix, 3), parentId: id(idPrefix, 2), name: 'router service2 egress', kind: 'CLIENT',
      timestamp: at(3_100), duration: 6_200, localEndpoint: service1, remoteEndpoint: { serviceName: 'service2', ipv4: '127.0.0.3', port: 8000 },
      tags: { ...common, upstream_cluster: 'service2', 'http.status_code': '503' },
    },
    {
      traceId, id: id(idPrefix, 3), parentId: id(idPrefix, 2), name: 'ingress get /trace/2', kind: 'SERVER', shared: true,
      timestamp: at(3_600), duration: 5_300, localEndpoint: service2,
      tags: { ...common, 'http.method': 'GET', 'http.status_code': '503', error: 'upstream returned 503' },
      annotations: [{ timestamp: at(8_800), value: 'upstream reset' }],
    },
    {
      traceId, id: id(idPrefix, 4), parentId: id(idPrefix, 3), name: 'checkstock',
      timestamp: at(4_100), duration: 4_200, localEndpoint: service2, tags: { 'db.system': 'memory' },
    },
  ]
}
