// Response field names as the head parser hands them on: lower-case, and for the common ones the
// same interned string every time, so what reads them next (Headers, the hop-by-hop Set) hashes
// nothing new.

// Names as upstreams spell them (Bun and Node send `Content-Type`, `Date`), lower-cased once: a
// Map lookup of the name costs less than toLowerCase making a new string each time (Bun: ~100 ns a
// name). Bounded, so an upstream that invents names cannot grow it.
const LOWER_CASED = new Map<string, string>()
const MAX_LOWER_CASED = 128

export function lowerCased(name: string): string {
  let lower = LOWER_CASED.get(name)
  if (lower === undefined) {
    lower = name.toLowerCase()
    if (LOWER_CASED.size < MAX_LOWER_CASED) LOWER_CASED.set(name, lower)
  }
  return lower
}

// The names most responses carry, matched in place in any case and handed on as these interned
// strings: no slice, no lower-casing, and a hash the Headers and Set lookups that follow already
// have (Bun: 560-610 -> 440-550 ns for a 3-field head, with the content-length digit loop in codec.ts).
const COMMON_NAMES = [
  'content-type', 'content-length', 'date', 'server', 'connection', 'keep-alive', 'transfer-encoding', 'cache-control', 'etag',
  'last-modified', 'vary', 'set-cookie', 'location', 'expires', 'content-encoding', 'x-powered-by', 'accept-ranges', 'age',
]
const COMMON_BY_LENGTH: string[][] = []
for (const name of COMMON_NAMES) (COMMON_BY_LENGTH[name.length] ??= []).push(name)

/** The interned lower-case spelling when `text[start, end)`, already checked to be a token, is a common name in any case. */
export function knownName(text: string, start: number, end: number): string | undefined {
  const candidates = COMMON_BY_LENGTH[end - start]
  if (candidates === undefined) return undefined
  next: for (let c = 0; c < candidates.length; c++) {
    const name = candidates[c]!
    for (let i = 0; i < name.length; i++) {
      // OR 0x20 lower-cases a letter and keeps '-'; of the other tchars none lands on a letter or '-'.
      if ((text.charCodeAt(start + i) | 0x20) !== name.charCodeAt(i)) continue next
    }
    return name
  }
  return undefined
}
