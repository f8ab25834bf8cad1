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

/** Twenty hues far apart, each readable with white text on light and dark pages. */
const PALETTE = [
  '#2563eb', '#059669', '#d97706', '#7c3aed', '#db2777', '#0d9488', '#ea580c', '#4f46e5', '#65a30d', '#0891b2',
  '#57534e', '#9333ea', '#ca8a04', '#0284c7', '#be185d', '#15803d', '#c2410c', '#6d28d9', '#0f766e', '#a16207',
]

export type ColourOf = (serviceName: string | undefined) => string

function hashOf(name: string): number {
  let hash = 2166136261
  for (const char of name) hash = Math.imul(hash ^ char.charCodeAt(0), 16777619) >>> 0
  return hash
}

/** Past the palette: hues a golden angle apart, so even the 21st+ services stay distinct. */
function extraColour(index: number): string {
  return `hsl(${Math.round((index * 137.508) % 360)} 65% 42%)`
}

/**
 * Colours for a set of services: each starts from its name's hash (so a service keeps its colour
 * as others come and go, as long as its slot is free) and probes on to a free slot, so no two of
 * the set share a colour. The same set always gets the same colours.
 */
export function servicePalette(serviceNames: readonly string[]): ColourOf {
  const taken = new Set<number>()
  const colours = new Map<string, string>()
  let extra = 0
  for (const name of [...new Set(serviceNames)].sort()) {
    if (taken.size >= PALETTE.length) {
      colours.set(name, extraColour(extra++))
      continue
    }
    let slot = hashOf(name) % PALETTE.length
    while (taken.has(slot)) slot = (slot + 1) % PALETTE.length
    taken.add(slot)
    colours.set(name, PALETTE[slot]!)
  }
  return (name) => (name === undefined ? '#6b7280' : (colours.get(name) ?? PALETTE[hashOf(name) % PALETTE.length]!))
}
