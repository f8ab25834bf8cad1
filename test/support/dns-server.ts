// A real DNS server (dns2, UDP on a loopback ephemeral port) with a mutable A/AAAA-record table, so
// strict DNS tests can scale a name up and down, make it vanish (NXDOMAIN) or fail (SERVFAIL).

import dns2 from 'dns2'
import { isIP } from 'node:net'

const { Packet } = dns2

export type DnsServerOptions = {
  /** Name → addresses (IPv4 answer A queries, IPv6 AAAA). A listed name with none of the asked family answers NODATA. */
  readonly records?: Readonly<Record<string, readonly string[]>>
  /** TTL put on every answer; long by default so a caching resolver would be caught out. */
  readonly ttlSeconds?: number
  readonly address?: string
}

export type TestDnsServer = {
  readonly address: string
  readonly port: number
  /** `address:port`, what `setServers` and `dnsResolvers` take. */
  readonly server: string
  setRecords(name: string, ips: readonly string[]): void
  /** Unknown names answer NXDOMAIN. */
  deleteRecords(name: string): void
  /** Answer SERVFAIL for this name until cleared with `false`. */
  setServfail(name: string, on: boolean): void
  /** Never answer this name (a client sees a timeout) until cleared with `false`. */
  setSilent(name: string, on: boolean): void
  /** Queries received per name (lower-cased, no trailing dot). */
  queries(name: string): number
  stop(): Promise<void>
}

const RCODE_SERVFAIL = 2
const RCODE_NXDOMAIN = 3

const normalise = (name: string): string => name.toLowerCase().replace(/\.$/, '')

export async function startDnsServer(options: DnsServerOptions = {}): Promise<TestDnsServer> {
  const records = new Map<string, readonly string[]>()
  for (const [name, ips] of Object.entries(options.records ?? {})) records.set(normalise(name), [...ips])
  const servfail = new Set<string>()
  const silent = new Set<string>()
  const counts = new Map<string, number>()
  const ttl = options.ttlSeconds ?? 300
  const address = options.address ?? '127.0.0.1'

  const server = dns2.createServer({
    udp: true,
    handle(request, send) {
      const response = Packet.createResponseFromRequest(request)
      const question = request.questions[0]
      if (!question) return send(response)
      const name = normalise(question.name)
      counts.set(name, (counts.get(name) ?? 0) + 1)
      if (silent.has(name)) return
      const ips = records.get(name)
      if (servfail.has(name)) response.header.rcode = RCODE_SERVFAIL
      else if (ips === undefined) response.header.rcode = RCODE_NXDOMAIN
      else if (question.type === Packet.TYPE.A || question.type === Packet.TYPE.AAAA) {
        const family = question.type === Packet.TYPE.A ? 4 : 6
        for (const address of ips.filter((ip) => isIP(ip) === family)) {
          response.answers.push(Packet.createResourceFromQuestion(question, { type: question.type, class: Packet.CLASS.IN, ttl, address }))
        }
      }
      send(response)
    },
  })
  // A client gone before its answer (ICMP port unreachable, ECONNREFUSED on recvmsg) must not end the test run.
  server.on('error', () => {})
  await server.listen({ udp: { port: 0, address } })
  const bound = server.addresses().udp
  if (!bound) throw new Error('dns2 did not bind a UDP socket')
  let stopped = false

  return {
    address,
    port: bound.port,
    server: `${address}:${bound.port}`,
    setRecords: (name, ips) => void records.set(normalise(name), [...ips]),
    deleteRecords: (name) => void records.delete(normalise(name)),
    setSilent: (name, on) => void (on ? silent.add(normalise(name)) : silent.delete(normalise(name))),
    setServfail: (name, on) => void (on ? servfail.add(normalise(name)) : servfail.delete(normalise(name))),
    queries: (name) => counts.get(normalise(name)) ?? 0,
    async stop() {
      if (stopped) return
      stopped = true
      await server.close()
    },
  }
}
