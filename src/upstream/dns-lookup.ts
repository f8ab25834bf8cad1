// How one name becomes addresses: /etc/hosts first, then DNS over the search-list candidates,
// with Envoy's dns_lookup_family deciding which record types are asked for and in what order.
// Pure: the queries and the files come in as arguments (src/adapter/dns.ts wires node:dns).

import { isIP } from 'node:net'
import type { DnsLookupFamily } from '../config/model.ts'
import type { HostsTable } from './hosts-file.ts'
export type { DnsLookupFamily }
export type RecordType = 'A' | 'AAAA'

/** One DNS query: [] for an authoritative "no such records" (NXDOMAIN, NODATA); rejects when no answer came. */
export type Query = (name: string, type: RecordType) => Promise<string[]>

/**
 * Steps tried in order until one yields addresses; the types of one step are asked together.
 * AUTO prefers IPv6 and falls back to IPv4, V4_PREFERRED the other way round, ALL takes both.
 */
const STEPS: Record<DnsLookupFamily, readonly (readonly RecordType[])[]> = {
  V4_ONLY: [['A']],
  V6_ONLY: [['AAAA']],
  AUTO: [['AAAA'], ['A']],
  V4_PREFERRED: [['A'], ['AAAA']],
  ALL: [['A', 'AAAA']],
}

export type LookupInput = {
  readonly family: DnsLookupFamily
  /** The names to query, in order (resolv-conf.ts `candidateNames`); just the name without a search list. */
  readonly candidates: readonly string[]
  readonly hosts?: HostsTable
  readonly query: Query
}

/**
 * Resolves to the addresses of the first step and candidate that has some. When none has any,
 * resolves to [] if every query was answered, and rejects with the first failure otherwise: a
 * timeout on one candidate must not read as "scaled to zero" (discovery keeps its endpoints).
 */
export async function lookup(name: string, input: LookupInput): Promise<string[]> {
  const literal = literalAnswer(name, input.family)
  if (literal) return literal
  const fromFile = hostsAnswer(name, input)
  if (fromFile.length) return fromFile
  let failure: unknown
  for (const types of STEPS[input.family]) {
    for (const candidate of input.candidates) {
      const answers = await Promise.allSettled(types.map((type) => input.query(candidate, type)))
      const addresses = answers.flatMap((a) => (a.status === 'fulfilled' ? a.value : []))
      for (const a of answers) if (a.status === 'rejected') failure ??= a.reason
      if (addresses.length) return addresses
    }
  }
  if (failure !== undefined) throw failure
  return []
}

/** IP literals answer themselves; `localhost` answers loopback even without a hosts file. */
function literalAnswer(name: string, family: DnsLookupFamily): string[] | undefined {
  if (isIP(name)) return [name]
  if (name.toLowerCase().replace(/\.$/, '') !== 'localhost') return undefined
  if (family === 'V6_ONLY' || family === 'AUTO') return ['::1']
  if (family === 'ALL') return ['127.0.0.1', '::1']
  return ['127.0.0.1']
}

/** The hosts file matches the name as written (no search list), as nss_files does. */
function hostsAnswer(name: string, input: LookupInput): string[] {
  const entry = input.hosts?.get(name.toLowerCase().replace(/\.$/, ''))
  if (!entry) return []
  for (const types of STEPS[input.family]) {
    const addresses = types.flatMap((type) => (type === 'A' ? entry.v4 : entry.v6))
    if (addresses.length) return addresses
  }
  return []
}
