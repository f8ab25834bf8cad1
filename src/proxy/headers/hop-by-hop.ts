// Hop-by-hop headers (RFC 9110 §7.6.1) belong to one connection and never cross the proxy,
// in either direction; neither do the headers a `connection` header names.

/** Exported for the HTTP/1.1 codec's test, which keeps its own list (HOP_BY_HOP_FIELDS) equal to this one. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
])

export function isHopByHop(name: string): boolean {
  return HOP_BY_HOP.has(name)
}

/** Names listed in a `connection` header (lower-cased), or undefined when there is none. */
export function connectionTokens(headers: Headers): Set<string> | undefined {
  return tokensOf(headers.get('connection'))
}

/** The names a `connection` field's value lists (lower-cased, without close and keep-alive); undefined for none. */
export function tokensOf(value: string | null): Set<string> | undefined {
  if (!value) return undefined
  const tokens = new Set<string>()
  for (const token of value.split(',')) {
    const name = token.trim().toLowerCase()
    if (name && name !== 'close' && name !== 'keep-alive') tokens.add(name)
  }
  return tokens.size ? tokens : undefined
}
