// What an address field may hold: listeners and admin bind an IP literal; endpoints name an IP or
// a DNS name; dns_resolvers are "ip:port". Each check returns the problem, or undefined.

import { isIP } from 'node:net'

const DOTTED = /^[0-9.]+$/
// RFC 1123 labels; `_` too, because Docker Compose and Kubernetes service names may carry it.
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/

export function ipProblem(text: string): string | undefined {
  if (isIP(text) !== 0) return undefined
  if (DOTTED.test(text)) return `"${text}" is not an IPv4 address (four numbers 0-255)`
  return `expected an IP address to bind, like 0.0.0.0, 127.0.0.1 or ::, got "${text}"`
}

/** An IP literal or a DNS name; digits and dots alone are an IPv4 address or nothing. */
export function hostProblem(text: string): string | undefined {
  if (text === '') return 'must not be empty'
  if (isIP(text) !== 0) return undefined
  if (DOTTED.test(text)) return `"${text}" is not an IPv4 address (four numbers 0-255)`
  const name = text.endsWith('.') ? text.slice(0, -1) : text
  const labels = name.split('.')
  // A final label of digits only is no top-level domain: it is a mistyped address (RFC 3696 §2).
  if (name.length > 253 || !labels.every((label) => LABEL.test(label)) || /^[0-9]+$/.test(labels[labels.length - 1]!))
    return `expected an IP address or a DNS name, got "${text}"`
  return undefined
}

/** `ip:port` for IPv4, `[ip]:port` for IPv6. */
export function resolverProblem(text: string): string | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(text)
  const ip = match?.[1] ?? match?.[2]
  const expected = `expected "ip:port" like "10.0.0.2:53" or "[::1]:53", got "${text}"`
  if (!match || ip === undefined) return expected
  if (isIP(ip) === 0) return `${expected}: "${ip}" is not an IP address`
  if ((match[1] !== undefined) !== (isIP(ip) === 6)) return `${expected}: brackets go around an IPv6 address only`
  const port = Number(match[3])
  if (port < 1 || port > 65535) return `${expected}: port must be 1-65535`
  return undefined
}
