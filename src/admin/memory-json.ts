// /memory as Envoy answers it (byte counts as decimal strings), from what a JavaScript runtime can
// tell: the JS heap stands in for tcmalloc's allocated/heap_size, RSS for total_physical_bytes.

export type MemoryUsage = { readonly rss: number; readonly heapTotal: number; readonly heapUsed: number; readonly external: number }

export function memoryJson(usage: MemoryUsage) {
  return {
    allocated: String(usage.heapUsed),
    heap_size: String(usage.heapTotal),
    external: String(usage.external),
    total_physical_bytes: String(usage.rss),
  }
}
