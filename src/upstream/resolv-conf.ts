// resolv.conf as glibc and c-ares read it: nameservers, the search list, ndots and the per-try
// timeout and attempts. Pure: src/adapter/dns.ts reads the file and hands the text here.

import { isIP } from 'node:net'

export type ResolvConf = {
  /** `ip:port` (`[v6]:port`) strings for node:dns `setServers`; port 53 unless the line names one. */
  readonly nameservers: readonly string[]
  /** Domains tried for names with fewer dots than `ndots`, in order. */
  readonly search: readonly string[]
  readonly ndots: number
  /** From `options timeout:N` (seconds); undefined when the file does not say. */
  readonly timeoutMs: number | undefined
  /** From `options attempts:N`; undefined when the file does not say. */
  readonly attempts: number | undefined
}

/** glibc's limits: 15 for ndots, 30 s for timeout, 5 attempts. */
const MAX_NDOTS = 15
const MAX_TIMEOUT_S = 30
const MAX_ATTEMPTS = 5

/**
 * Unknown keywords and malformed values are ignored, as glibc does: a resolver never refuses to
 * start over its configuration file. `search` and `domain` replace each other (the last wins).
 * An empty nameserver list means the local resolver (127.0.0.1:53), glibc's default.
 * `nameserver 127.0.0.1:5353` is accepted too (c-ares reads a port; glibc would ignore the line).
 */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: string[] = []
  let search: string[] = []
  let ndots = 1
  let timeoutMs: number | undefined
  let attempts: number | undefined
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim()
    if (!line) continue
    const [keyword, ...values] = line.split(/\s+/)
    if (keyword === 'nameserver' && values[0]) {
      const server = serverOf(values[0])
      if (server) nameservers.push(server)
    } else if (keyword === 'search') search = values.map(stripDot).filter(Boolean)
    else if (keyword === 'domain' && values[0]) search = [stripDot(values[0])].filter(Boolean)
    else if (keyword === 'options') {
      for (const option of values) {
        const [name, value] = option.split(':')
        const n = Number(value)
        if (value === undefined || !/^\d+$/.test(value)) continue
        if (name === 'ndots') ndots = Math.min(n, MAX_NDOTS)
        else if (name === 'timeout' && n > 0) timeoutMs = Math.min(n, MAX_TIMEOUT_S) * 1000
        else if (name === 'attempts' && n > 0) attempts = Math.min(n, MAX_ATTEMPTS)
      }
    }
  }
  return { nameservers: nameservers.length ? nameservers : ['127.0.0.1:53'], search, ndots, timeoutMs, attempts }
}

function serverOf(value: string): string | undefined {
  const bare = value.replace(/%.*$/, '') // an IPv6 zone id (fe80::1%eth0) means nothing to setServers
  if (isIP(bare) === 4) return `${bare}:53`
  if (isIP(bare) === 6) return `[${bare}]:53`
  const v4 = /^(\d+\.\d+\.\d+\.\d+):(\d{1,5})$/.exec(value)
  if (v4 && isIP(v4[1]!)) return value
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d{1,5})$/.exec(value)
  if (v6 && isIP(v6[1]!)) return value
  return undefined
}

const stripDot = (domain: string) => domain.replace(/\.$/, '').toLowerCase()

/** The names to query for `name`, in order, as res_search and c-ares build them. */
export function candidateNames(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)]
  const dots = name.split('.').length - 1
  const searched = conf.search.map((domain) => `${name}.${domain}`)
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name]
}
