// Prometheus text exposition (format 0.0.4) of the stats, with Envoy's tag extraction so its
// dashboards work: `cluster.service1.upstream_rq_200` → `envoy_cluster_upstream_rq{envoy_response_code="200",envoy_cluster_name="service1"}`.

import type { Stat, StatKind } from '../stats/stats-store.ts'

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8'

type Label = readonly [name: string, value: string]
type Series = { readonly family: string; readonly labels: readonly Label[] }
type Family = { readonly kind: StatKind; readonly samples: Map<string, number> }

/** `clusterNames` lets a cluster name containing dots be split off correctly. */
export function renderPrometheus(stats: readonly Stat[], clusterNames: readonly string[] = []): string {
  const byLength = [...clusterNames].sort((a, b) => b.length - a.length)
  const families = new Map<string, Family>()
  for (const stat of stats) {
    const { family, labels } = toSeries(stat.name, byLength)
    let entry = families.get(family)
    if (!entry) families.set(family, (entry = { kind: stat.kind, samples: new Map() }))
    const labelText = prometheusLabels(labels)
    // Two stat names that sanitise to one series would be invalid exposition; the first one wins.
    if (!entry.samples.has(labelText)) entry.samples.set(labelText, stat.value)
  }
  const lines: string[] = []
  for (const name of [...families.keys()].sort()) {
    const family = families.get(name)
    if (!family) continue
    lines.push(`# TYPE ${name} ${family.kind}`)
    for (const [labelText, value] of family.samples) lines.push(`${name}${labelText} ${formatValue(value)}`)
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`
}

export function toSeries(statName: string, clusterNamesLongestFirst: readonly string[]): Series {
  if (statName.startsWith('cluster.')) {
    const cluster = scopeName(statName.slice('cluster.'.length), clusterNamesLongestFirst)
    if (cluster !== undefined) {
      const rest = statName.slice('cluster.'.length + cluster.length + 1)
      return sslValueTag(rest, ['envoy_cluster_name', cluster]) ?? withCodeTags('cluster', 'upstream_rq', rest, ['envoy_cluster_name', cluster])
    }
  }
  if (statName.startsWith('http.')) {
    const prefix = scopeName(statName.slice('http.'.length), [])
    if (prefix !== undefined) {
      const rest = statName.slice('http.'.length + prefix.length + 1)
      return withCodeTags('http', 'downstream_rq', rest, ['envoy_http_conn_manager_prefix', prefix])
    }
  }
  return { family: metricName(statName), labels: [] }
}

/** Envoy's tag for each per-value ssl.* family (well_known_names: the cluster's cipher tag is `cipher_suite`). */
const SSL_VALUE_TAGS: Readonly<Record<string, string>> = { ciphers: 'cipher_suite', versions: 'envoy_ssl_version', curves: 'envoy_ssl_curve', sigalgs: 'envoy_ssl_sigalg' }

/** `ssl.versions.TLSv1.3` → `envoy_cluster_ssl_versions{envoy_ssl_version="TLSv1.3",...}`. */
function sslValueTag(rest: string, scopeLabel: Label): Series | undefined {
  if (!rest.startsWith('ssl.')) return undefined
  const dot = rest.indexOf('.', 4)
  const tag = dot > 0 ? SSL_VALUE_TAGS[rest.slice(4, dot)] : undefined
  if (!tag || dot === rest.length - 1) return undefined
  return { family: metricName(`cluster.${rest.slice(0, dot)}`), labels: [[tag, rest.slice(dot + 1)], scopeLabel] }
}

/** Known names first (they may contain dots); otherwise up to the first dot, as Envoy's tag regex. */
function scopeName(afterRoot: string, known: readonly string[]): string | undefined {
  for (const name of known) if (afterRoot.startsWith(`${name}.`) && afterRoot.length > name.length + 1) return name
  const dot = afterRoot.indexOf('.')
  return dot > 0 && dot < afterRoot.length - 1 ? afterRoot.slice(0, dot) : undefined
}

function withCodeTags(root: string, counter: string, rest: string, scopeLabel: Label): Series {
  const code = /^(\d{3})$/.exec(rest.slice(counter.length + 1))
  if (rest.startsWith(`${counter}_`) && code?.[1]) {
    return { family: metricName(`${root}.${counter}`), labels: [['envoy_response_code', code[1]], scopeLabel] }
  }
  const codeClass = /^([1-5])xx$/.exec(rest.slice(counter.length + 1))
  if (rest.startsWith(`${counter}_`) && codeClass?.[1]) {
    return { family: metricName(`${root}.${counter}_xx`), labels: [['envoy_response_code_class', codeClass[1]], scopeLabel] }
  }
  return { family: metricName(`${root}.${rest}`), labels: [scopeLabel] }
}

/** `{name="value",...}`, or nothing without labels. */
export function prometheusLabels(labels: readonly Label[]): string {
  return labels.length === 0 ? '' : `{${labels.map(([name, value]) => `${name}="${escapeLabel(value)}"`).join(',')}}`
}

function metricName(statName: string): string {
  return `envoy_${statName.replace(/[^a-zA-Z0-9_]/g, '_')}`
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN'
  if (value === Infinity) return '+Inf'
  if (value === -Infinity) return '-Inf'
  return String(value)
}
