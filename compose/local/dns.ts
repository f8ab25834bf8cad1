// The demo's DNS server (dns2, UDP on a loopback port): answers `service1`/`service2` with the
// address of every ready replica, as Compose's DNS does, so the proxies' strict DNS sees scaling.

import dns2 from 'dns2'

const { Packet } = dns2
const RCODE_NXDOMAIN = 3

export type MeshDns = {
  /** `address:port`, what a cluster's `dns_resolvers` takes. */
  readonly server: string
  add(name: string, address: string): void
  remove(name: string, address: string): void
  records(name: string): readonly string[]
  stop(): Promise<void>
}

const normalise = (name: string): string => name.toLowerCase().replace(/\.$/, '')

/**
 * Known names with no ready replica answer NOERROR with no records (the cluster empties), unknown
 * ones NXDOMAIN. TTL 1 s: nothing should cache a replica that is about to go.
 */
export async function startMeshDns(options: { address: string; port: number; names: readonly string[] }): Promise<MeshDns> {
  const table = new Map<string, string[]>(options.names.map((name) => [normalise(name), []]))
  const server = dns2.createServer({
    udp: true,
    handle(request, send) {
      const response = Packet.createResponseFromRequest(request)
      const question = request.questions[0]
      if (!question) return send(response)
      const addresses = table.get(normalise(question.name))
      if (addresses === undefined) response.header.rcode = RCODE_NXDOMAIN
      else if (question.type === Packet.TYPE.A) {
        for (const address of addresses) {
          response.answers.push(Packet.createResourceFromQuestion(question, { type: Packet.TYPE.A, class: Packet.CLASS.IN, ttl: 1, address }))
        }
      }
      send(response)
    },
  })
  // A resolver that closed its socket before the answer arrived (a proxy worker shutting down)
  // turns into ICMP port unreachable, which Linux reports on the next recvmsg as ECONNREFUSED:
  // the client's business, not a reason to end the mesh's DNS.
  server.on('error', () => {})
  await server.listen({ udp: { port: options.port, address: options.address } })
  let stopped = false
  return {
    server: `${options.address}:${options.port}`,
    add(name, address) {
      const list = table.get(normalise(name)) ?? []
      if (!list.includes(address)) list.push(address)
      table.set(normalise(name), list)
    },
    remove(name, address) {
      const list = table.get(normalise(name))
      if (list) table.set(normalise(name), list.filter((a) => a !== address))
    },
    records: (name) => [...(table.get(normalise(name)) ?? [])],
    async stop() {
      if (stopped) return
      stopped = true
      await server.close()
    },
  }
}
