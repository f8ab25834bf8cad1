// Checks that need the whole config: references between sections, uniqueness, combinations.
// (Regexes and addresses are checked field by field in schema.ts.)

import { isIP } from 'node:net'
import type { ConfigIssue } from './config-error.ts'
import type { ConfigFile } from './schema.ts'
import { parseDuration } from './duration.ts'
import { formatProblems } from '../access-log/format-plan.ts'

export function semanticIssues(file: ConfigFile): ConfigIssue[] {
  const issues: ConfigIssue[] = []
  const push = (path: string, message: string) => issues.push({ path, message })
  const clusterNames = new Set<string>()
  file.clusters.forEach((c, i) => {
    if (clusterNames.has(c.name)) push(`clusters[${i}].name`, `duplicate cluster name "${c.name}"`)
    clusterNames.add(c.name)
    c.load_assignment.endpoints.forEach((e, j) => {
      const path = `clusters[${i}].load_assignment.endpoints[${j}]`
      if (c.type === 'static' && !isIP(e.address) && e.address !== 'localhost')
        push(`${path}.address`, `a static cluster needs an IP address, got "${e.address}" (use type: strict_dns for names)`)
    })
    if (c.common_lb_config?.locality_weighted_lb_config && (c.lb_policy === 'ring_hash' || c.lb_policy === 'maglev'))
      push(`clusters[${i}].common_lb_config.locality_weighted_lb_config`, `not supported with lb_policy ${c.lb_policy} by edgeway (round_robin, least_request and random only)`)
  })
  const known = [...clusterNames].map((n) => `"${n}"`).join(', ') || 'none'
  const listenerNames = new Set<string>()
  const sockets = new Map<string, string>()
  if (file.admin) sockets.set(`${file.admin.address}:${file.admin.port}`, 'admin')
  file.listeners.forEach((l, i) => {
    if (listenerNames.has(l.name)) push(`listeners[${i}].name`, `duplicate listener name "${l.name}"`)
    listenerNames.add(l.name)
    const socket = `${l.address}:${l.port}`
    if (l.port !== 0 && sockets.has(socket)) push(`listeners[${i}].port`, `${socket} is already used by ${sockets.get(socket)}`)
    sockets.set(socket, `listener "${l.name}"`)
    if (l.idle_timeout && parseDuration(l.idle_timeout)! > 255_000) push(`listeners[${i}].idle_timeout`, 'must be at most 255s (Bun\'s limit)')
    if (l.access_log !== false) accessLogIssues(l.access_log, `listeners[${i}].access_log`, push)
    if (l.http3 && !l.tls) push(`listeners[${i}].http3`, 'HTTP/3 runs over QUIC, which needs TLS: add a tls block')
    const domains = new Map<string, number>()
    l.virtual_hosts.forEach((v, j) => {
      v.domains.forEach((d, k) => {
        const key = d.toLowerCase()
        const path = `listeners[${i}].virtual_hosts[${j}].domains[${k}]`
        if (domains.has(key)) push(path, `domain "${d}" is already claimed by virtual_hosts[${domains.get(key)}]`)
        domains.set(key, j)
        if (key.includes('*') && key !== '*' && !key.startsWith('*') && !/\.\*(:(\d+|\*))?$/.test(key) && !key.endsWith(':*'))
          push(path, 'a wildcard must be a whole label at the start ("*.example.com") or end ("example.*")')
      })
      v.routes.forEach((r, k) => {
        const path = `listeners[${i}].virtual_hosts[${j}].routes[${k}]`
        const matchers = [r.match.prefix, r.match.path, r.match.safe_regex].filter((m) => m !== undefined).length
        if (matchers !== 1) push(`${path}.match`, 'needs exactly one of prefix, path, safe_regex')
        if (r.match.prefix !== undefined && !r.match.prefix.startsWith('/')) push(`${path}.match.prefix`, 'must start with "/"')
        if (r.match.path !== undefined && !r.match.path.startsWith('/')) push(`${path}.match.path`, 'must start with "/"')
        r.match.headers.forEach((h, m) => {
          const hp = `${path}.match.headers[${m}]`
          const kinds = [h.exact_match, h.prefix_match, h.suffix_match, h.contains_match, h.safe_regex_match, h.present_match, h.string_match].filter((x) => x !== undefined)
          if (kinds.length > 1) push(hp, 'needs at most one of exact_match, prefix_match, suffix_match, contains_match, safe_regex_match, present_match, string_match')
        })
        const action = r.route
        const targets = [action.cluster, action.weighted_clusters].filter((x) => x !== undefined).length
        if (targets !== 1) push(`${path}.route`, 'needs exactly one of cluster, weighted_clusters')
        if (action.cluster !== undefined && !clusterNames.has(action.cluster))
          push(`${path}.route.cluster`, `unknown cluster "${action.cluster}": known clusters are ${known}`)
        action.weighted_clusters?.clusters.forEach((w, m) => {
          if (!clusterNames.has(w.name)) push(`${path}.route.weighted_clusters.clusters[${m}].name`, `unknown cluster "${w.name}": known clusters are ${known}`)
        })
        if (action.weighted_clusters && action.weighted_clusters.clusters.every((w) => w.weight === 0))
          push(`${path}.route.weighted_clusters`, 'at least one weight must be above 0')
        if (action.host_rewrite !== undefined && action.host_rewrite_literal !== undefined) push(`${path}.route`, 'use host_rewrite or host_rewrite_literal, not both')
        const policy = action.retry_policy ?? v.retry_policy
        const timeout = action.timeout === undefined ? 15_000 : parseDuration(action.timeout)!
        const perTry = policy?.per_try_timeout && parseDuration(policy.per_try_timeout)!
        if (perTry && timeout && perTry > timeout) push(`${path}.route.retry_policy.per_try_timeout`, `must not exceed the route timeout (${timeout / 1000}s)`)
      })
    })
  })
  return issues
}

type AccessLogFile = Exclude<ConfigFile['listeners'][number]['access_log'], false>

/** One format at most, matching `format`; every command operator in it known. */
function accessLogIssues(log: AccessLogFile, path: string, push: (path: string, message: string) => void): void {
  if (log.text_format !== undefined && log.json_format !== undefined) push(`${path}.json_format`, 'give text_format or json_format, not both')
  else if (log.format === 'json' && log.text_format !== undefined) push(`${path}.text_format`, 'is a text format: remove format: json or use json_format')
  else if (log.format === 'text' && log.json_format !== undefined) push(`${path}.json_format`, 'is a JSON format: remove format: text or use text_format')
  else for (const problem of formatProblems({ text: log.text_format, json: log.json_format })) push(`${path}.${problem.path}`, problem.message)
}
