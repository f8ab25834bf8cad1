// What DNS discovery needs from a resolver; src/adapter/dns.ts provides the real one.

export interface Resolver {
  /**
   * IPv4 addresses of `hostname`. Resolves to [] when the name has no A records (NXDOMAIN or
   * NODATA: an authoritative "nothing here"); rejects when no answer could be had (timeout,
   * SERVFAIL, refused), so discovery can tell "scaled to zero" from "DNS is down".
   */
  resolve4(hostname: string): Promise<string[]>
}
