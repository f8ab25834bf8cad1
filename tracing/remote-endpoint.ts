// Zipkin's Endpoint for the other side of a span, from an address the proxy knows (a downstream
// peer or an upstream endpoint): ipv4 or ipv6 when the address is an ip, else only the port.

import type { RemoteEndpoint } from './span-record.ts'

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/

/** Dual-stack listeners report IPv4 peers as ::ffff:a.b.c.d; this is a.b.c.d. */
export function plainIp(address: string): string {
  return address.startsWith('::ffff:') && IPV4.test(address.slice(7)) ? address.slice(7) : address
}

export function remoteEndpoint(address: string, port: number, serviceName?: string): RemoteEndpoint {
  const out: RemoteEndpoint = {}
  if (serviceName) out.serviceName = serviceName
  const ip = plainIp(address)
  if (IPV4.test(ip)) out.ipv4 = ip
  else if (ip.includes(':')) out.ipv6 = ip.replace(/^\[|\]$/g, '')
  if (port > 0) out.port = port
  return out
}
