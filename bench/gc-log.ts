// Bytes a stretch of code allocates on Bun's JS heap, read from JSC's GC log (BUN_JSC_logGC=1 in the
// process that runs it). Objects that die young cost allocation and eden collections, not tracing:
// these counts include them.
//
// The stretch runs from one collection to a later one, both seen from JS (the heap's size changes
// only when it collects: `heapSize()` polled), and the bytes are the sum of what each collection in
// between says was allocated since the one before it (`Requesting GC because bytes allocated this
// cycle: N`), ÷ the calls made between the two. (Summing the heap's logged growth between
// collections instead, as request-heap.ts did before, is off by up to one collection's worth,
// ~20 MB, per stretch: the size logged before a collection is the heap's capacity.)

/**
 * In the logging process: calls `fn` until a collection happens, then at least `calls` times more
 * up to the next collection, and marks both on stderr with the calls made between them
 * (`GC-SPAN <name> <calls>` after the second). `heapSize` is bun:jsc's. Bounded: a stretch that
 * sees no collection in 4 × `calls` calls is marked `GC-SPAN-NONE <name> <calls>` (it allocates
 * less than a collection's budget ÷ that many calls: a few bytes at most).
 */
export async function runBetweenCollections(name: string, fn: () => unknown, calls: number, heapSize: () => number): Promise<void> {
  const limit = 4 * calls
  const collected = async (): Promise<number | undefined> => {
    // Polled every 16 calls: the heap's size moves only when it collects.
    const size = heapSize()
    for (let i = 0; i < limit; i += 16) {
      for (let j = 0; j < 16; j++) {
        const r = fn()
        if (r instanceof Promise) await r
      }
      if (heapSize() !== size) return i + 16
    }
    return undefined
  }
  if ((await collected()) === undefined) return console.error(`GC-SPAN-NONE ${name} ${limit}`)
  console.error(`GC-SPAN-START ${name}`)
  let made = 0
  while (made < calls) {
    const more = await collected()
    if (more === undefined) return console.error(`GC-SPAN-NONE ${name} ${made + limit}`)
    made += more
  }
  console.error(`GC-SPAN ${name} ${made}`)
}

/** Bytes a call for each runBetweenCollections stretch in `log`, by its name. */
export function allocatedBetweenCollections(log: string): Map<string, number> {
  const events = /bytes allocated this cycle: (\d+)|GC-SPAN-START ([^\n]*)|GC-SPAN(-NONE)? (\S+(?: \S+)*) (\d+)\n/g
  const perCall = new Map<string, number>()
  let sum = 0
  let measuring = false
  for (const m of log.matchAll(events)) {
    if (m[2] !== undefined) {
      measuring = true
      sum = 0
    } else if (m[4] !== undefined) {
      // No collection: under one collection's budget over that many calls (counted as nothing).
      perCall.set(m[4], m[3] ? 0 : sum / Number(m[5]))
      measuring = false
    } else if (measuring) sum += Number(m[1])
  }
  return perCall
}
