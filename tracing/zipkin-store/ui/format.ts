// Display helpers shared by the UI pages: durations, timestamps and per-service colours.

/** µs → "850µs", "12.3ms", "1.52s". */
export function formatDuration(us: number | undefined): string {
  if (us === undefined) return '—'
  if (us < 1000) return `${us}µs`
  if (us < 1_000_000) return `${(us / 1000).toFixed(us < 10_000 ? 2 : 1)}ms`
  return `${(us / 1_000_000).toFixed(2)}s`
}

/** Epoch µs → "2024-05-01 10:20:30.123" in UTC, so the page reads the same everywhere. */
export function formatTimestamp(us: number | undefined): string {
  if (us === undefined) return '—'
  return new Date(Math.floor(us / 1000)).toISOString().replace('T', ' ').replace('Z', '')
}

const PALETTE = ['#3b82f6', '#10b981', '#f59e0b', '#8b5cf6', '#ec4899', '#14b8a6', '#f97316', '#6366f1', '#84cc16', '#06b6d4']

export type ColourOf = (serviceName: string | undefined) => string

function hashSlot(name: string): number {
  let hash = 0
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return hash % PALETTE.length
}

/**
 * Colours for the store's services: each starts from its name's hash (so a service keeps its
 * colour as others come and go) and probes on to a free one, so up to ten never share.
 */
export function servicePalette(serviceNames: readonly string[]): ColourOf {
  const taken = new Set<number>()
  const colours = new Map<string, string>()
  for (const name of [...new Set(serviceNames)].sort()) {
    let slot = hashSlot(name)
    for (let probe = 0; probe < PALETTE.length && taken.has(slot); probe++) slot = (slot + 1) % PALETTE.length
    taken.add(slot)
    colours.set(name, PALETTE[slot]!)
  }
  return (name) => (name === undefined ? '#9ca3af' : (colours.get(name) ?? PALETTE[hashSlot(name)]!))
}
