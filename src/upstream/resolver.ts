// What DNS discovery needs from a resolver; src/adapter/dns.ts provides the real ones.

export interface Resolver {
  /**
   * Addresses of `hostname` (IPv4, IPv6 or both, as the cluster's dns_lookup_family says).
   * Resolves to [] when the name has no such records (NXDOMAIN or NODATA: an authoritative
   * "nothing here"); rejects when no answer could be had (timeout, SERVFAIL, refused), so
   * discovery can tell "scaled to zero" from "DNS is down".
   */
  resolve(hostname: string): Promise<string[]>
}
