// Field names as the head parsers hand them on: lower-case, and for the common ones the
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
export const COMMON_NAMES: readonly string[] = [
  'content-type', 'content-length', 'date', 'server', 'connection', 'keep-alive', 'transfer-encoding', 'cache-control', 'etag',
  'last-modified', 'vary', 'set-cookie', 'location', 'expires', 'content-encoding', 'x-powered-by', 'accept-ranges', 'age',
]
const COMMON_INDEX_BY_LENGTH: number[][] = []
COMMON_NAMES.forEach((name, index) => (COMMON_INDEX_BY_LENGTH[name.length] ??= []).push(index))

// The names most requests carry (browsers, curl, wrk, the proxies in front of edgeway), for the
// request-head parser (request-head.ts) in the same way.
const REQUEST_NAMES = [
  'host', 'user-agent', 'accept', 'accept-encoding', 'accept-language', 'connection', 'content-type', 'content-length',
  'transfer-encoding', 'cookie', 'authorization', 'cache-control', 'upgrade', 'expect', 'origin', 'referer',
  'x-forwarded-for', 'x-forwarded-proto', 'x-request-id', 'te', 'if-none-match', 'if-modified-since',
]
const REQUEST_BY_LENGTH = byLength(REQUEST_NAMES)

function byLength(names: readonly string[]): string[][] {
  const table: string[][] = []
  for (const name of names) (table[name.length] ??= []).push(name)
  return table
}

/**
 * The index in COMMON_NAMES of `text[start, end)` when it is a common name in any case, else -1.
 * `text[start, end)` must hold no CR (a head parser's line has none before its CR): then a match is
 * a token, since the only non-letter in a common name is '-', and only CR also ORs to it (codec.ts
 * skips its tchar loop for these names).
 */
export function knownNameIndex(text: string, start: number, end: number): number {
  const candidates = COMMON_INDEX_BY_LENGTH[end - start]
  if (candidates === undefined) return -1
  next: for (let c = 0; c < candidates.length; c++) {
    const index = candidates[c]!
    const name = COMMON_NAMES[index]!
    for (let i = 0; i < name.length; i++) {
      if ((text.charCodeAt(start + i) | 0x20) !== name.charCodeAt(i)) continue next
    }
    return index
  }
  return -1
}

/** knownName for request field names. */
export function knownRequestName(text: string, start: number, end: number): string | undefined {
  return known(REQUEST_BY_LENGTH, text, start, end)
}

function known(table: string[][], text: string, start: number, end: number): string | undefined {
  const candidates = table[end - start]
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
