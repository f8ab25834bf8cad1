// The HTTP health-check probe: GET <path> on the endpoint through the runtime's upstream fetch,
// over the cluster's TLS and HTTP/2 as its requests go.

import type { Runtime } from '../runtime.ts'
import type { HealthProbe } from './health-checker.ts'

export function httpHealthProbe(runtime: Pick<Runtime, 'upstreamFetch'>): HealthProbe {
  return async (endpoint, path, timeoutMs, transport) => {
    try {
      const response = await runtime.upstreamFetch({
        url: `http://${endpoint.key}${path}`,
        method: 'GET',
        headers: new Headers({ host: endpoint.key, 'user-agent': 'edgeway-health-checker' }),
        body: null,
        signal: AbortSignal.timeout(timeoutMs),
        transport,
      })
      await response.body?.cancel().catch(() => {})
      return response.status
    } catch {
      return false
    }
  }
}
