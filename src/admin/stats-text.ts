// /stats query handling and the text and JSON shapes Envoy prints: `name: value` lines, or
// `{"stats":[{"name":..,"value":..}]}`.

import { compileSafeRegex, REQUEST_REGEX_LIMITS, type SafeRegex } from '../regex/safe-regex.ts'
import type { Stat } from '../stats/stats-store.ts'

export type StatsSelection<T = Stat> = { readonly ok: true; readonly stats: T[] } | { readonly ok: false; readonly error: string }

/**
 * `filter` is an RE2 regex searched in the name (Envoy's partial match), linear in each name so a
 * hostile filter cannot hold the event loop; `usedOnly` drops stats still at zero. Histograms go
 * through the same selection, `value` being their count.
 */
export function selectStats<T extends { readonly name: string; readonly value: number }>(all: readonly T[], filter: string | undefined, usedOnly: boolean): StatsSelection<T> {
  let pattern: SafeRegex | undefined
  if (filter !== undefined && filter !== '') {
    try {
      pattern = compileSafeRegex(filter, REQUEST_REGEX_LIMITS)
    } catch (error) {
      return { ok: false, error: `Invalid regex: ${error instanceof Error ? error.message : String(error)}` }
    }
  }
  const stats = all.filter((stat) => (!usedOnly || stat.value !== 0) && (!pattern || pattern.searches(stat.name)))
  return { ok: true, stats }
}

export function renderStatsText(stats: readonly Stat[]): string {
  let out = ''
  for (const stat of stats) out += `${stat.name}: ${stat.value}\n`
  return out
}

export function statsJson(stats: readonly Stat[]): { stats: { name: string; value: number }[] } {
  return { stats: stats.map((stat) => ({ name: stat.name, value: stat.value })) }
}
