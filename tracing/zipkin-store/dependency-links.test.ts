import { describe, expect, test } from 'bun:test'
import { linkDependencies } from './dependency-links.ts'
import { sampleTrace } from './sample-trace.ts'
import type { Span } from './span-model.ts'

const T = '00000000000000a1'

describe('linkDependencies', () => {
  test('the demo trace: one link per hop, the error on the failing one', () => {
    expect(linkDependencies([sampleTrace({ traceId: T, startUs: 1 })])).toEqual([
      { parent: 'front-proxy', child: 'service1', callCount: 1, errorCount: 0 },
      { parent: 'service1', child: 'service2', callCount: 1, errorCount: 1 },
    ])
  })

  test('uninstrumented callee comes from the client remote endpoint; caller from the server remote endpoint', () => {
    const trace: Span[] = [
      { traceId: T, id: '0000000000000001', kind: 'SERVER', localEndpoint: { serviceName: 'api' }, remoteEndpoint: { serviceName: 'browser' } },
      { traceId: T, id: '0000000000000002', parentId: '0000000000000001', kind: 'CLIENT', localEndpoint: { serviceName: 'api' }, remoteEndpoint: { serviceName: 'mysql' }, tags: { error: 'timeout' } },
    ]
    expect(linkDependencies([trace])).toEqual([
      { parent: 'api', child: 'mysql', callCount: 1, errorCount: 1 },
      { parent: 'browser', child: 'api', callCount: 1, errorCount: 0 },
    ])
  })

  test('child spans with parentId (not shared) link across services once', () => {
    const trace: Span[] = [
      { traceId: T, id: '0000000000000001', kind: 'CLIENT', localEndpoint: { serviceName: 'a' }, remoteEndpoint: { serviceName: 'b' } },
      { traceId: T, id: '0000000000000002', parentId: '0000000000000001', kind: 'SERVER', localEndpoint: { serviceName: 'b' } },
      { traceId: T, id: '0000000000000003', parentId: '0000000000000002', localEndpoint: { serviceName: 'b' } },
    ]
    expect(linkDependencies([trace, trace])).toEqual([{ parent: 'a', child: 'b', callCount: 2, errorCount: 0 }])
  })
})
