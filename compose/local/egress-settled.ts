// The mesh is up only once every proxy's clusters hold every replica DNS answers for them. A sidecar
// that resolved service2 before service2's first replica was in DNS has no endpoint for it until its
// next refresh (dns_refresh_rate), and a request through it meanwhile is 503 UH — as under Envoy, so
// the launcher waits for the refresh rather than print a banner whose /trace/1 can fail.

import { request } from 'node:http'

/** `cluster.<name>.membership_total` of each of the admin's clusters. */
export function clusterMembership(adminUrl: string, timeoutMs = 500): Promise<Map<string, number> | undefined> {
  return new Promise((done) => {
    const req = request(`${adminUrl}/stats?filter=membership_total`, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        const members = new Map<string, number>()
        for (const match of body.matchAll(/^cluster\.([^.\s]+)\.membership_total: (\d+)$/gm)) members.set(match[1]!, Number(match[2]))
        done(res.statusCode === 200 ? members : undefined)
      })
    })
    req.once('timeout', () => req.destroy())
    req.once('error', () => done(undefined))
    req.end()
  })
}

/** Polls until, on every admin, each cluster named after a service has as many members as DNS has records. */
export async function waitEgressSettled(
  adminUrls: readonly string[],
  records: (service: string) => readonly string[],
  services: readonly string[],
  options: { timeoutMs: number; cancelled?: () => boolean },
): Promise<string[]> {
  const deadline = Date.now() + options.timeoutMs
  let unsettled: string[] = []
  do {
    if (options.cancelled?.()) return []
    unsettled = []
    for (const adminUrl of adminUrls) {
      const members = await clusterMembership(adminUrl)
      if (!members) {
        unsettled.push(`${adminUrl}: no answer`)
        continue
      }
      for (const service of services) {
        const have = members.get(service)
        if (have !== undefined && have !== records(service).length) unsettled.push(`${adminUrl}: ${service} has ${have} of ${records(service).length}`)
      }
    }
    if (unsettled.length === 0) return []
    await new Promise((r) => setTimeout(r, 100))
  } while (Date.now() < deadline)
  return unsettled
}
