// /etc/hosts as the system resolver reads it before asking DNS ("files dns" in nsswitch.conf).
// Pure: src/adapter/dns.ts reads the file and hands the text here.

import { isIP } from 'node:net'

/** Lower-cased name (or alias) → its addresses in file order, IPv4 and IPv6 apart. */
export type HostsTable = ReadonlyMap<string, { readonly v4: readonly string[]; readonly v6: readonly string[] }>

export function parseHosts(text: string): HostsTable {
  const table = new Map<string, { v4: string[]; v6: string[] }>()
  for (const raw of text.split('\n')) {
    const [address, ...names] = raw.replace(/#.*$/, '').trim().split(/\s+/)
    const family = address ? isIP(address.replace(/%.*$/, '')) : 0
    if (!family) continue
    for (const name of names) {
      const key = name.toLowerCase().replace(/\.$/, '')
      const entry = table.get(key) ?? { v4: [], v6: [] }
      const list = family === 4 ? entry.v4 : entry.v6
      const bare = address!.replace(/%.*$/, '')
      if (!list.includes(bare)) list.push(bare)
      table.set(key, entry)
    }
  }
  return table
}
