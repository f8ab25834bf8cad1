// Envoy's default notion of an internal client (its internal_address_config): loopback, RFC 1918,
// link-local and IPv6 unique-local addresses. At an edge listener (use_remote_address) only such
// clients may force a trace or keep their own x-request-id.

export function isInternalAddress(address: string): boolean {
  const ip = address.startsWith('::ffff:') ? address.slice(7) : address
  const v4 = /^(\d{1,3})\.(\d{1,3})\.\d{1,3}\.\d{1,3}$/.exec(ip)
  if (v4) {
    const a = Number(v4[1])
    const b = Number(v4[2])
    return a === 10 || a === 127 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254)
  }
  const v6 = ip.toLowerCase()
  return v6 === '::1' || /^f[cd][0-9a-f]{2}:/.test(v6) || /^fe[89ab][0-9a-f]:/.test(v6)
}

/**
 * Envoy's test for a request behind an edge (use_remote_address off): x-forwarded-for holds one
 * address, and it is internal.
 */
export function isSingleInternalAddress(forwardedFor: string): boolean {
  return !forwardedFor.includes(',') && isInternalAddress(forwardedFor.trim())
}
