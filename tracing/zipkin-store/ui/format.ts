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

/** Stable colour per service name, so one service looks the same on every page. */
export function serviceColour(serviceName: string | undefined): string {
  if (serviceName === undefined) return '#9ca3af'
  let hash = 0
  for (const char of serviceName) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return PALETTE[hash % PALETTE.length]!
}
