// Endpoint discovery for strict_dns and logical_dns clusters: resolve every listed name, now and
// then every dnsRefreshRateMs, and hand the union of the answers to the cluster.
//
// Failure semantics, per listed name (as Envoy keeps one resolve target per name):
// - an answer with addresses replaces that name's endpoints (update_success);
// - an authoritative empty answer (NXDOMAIN/NODATA, the resolver returns []) empties them
//   (update_success + update_empty): the name was scaled to zero or removed, Envoy drops its hosts;
// - no answer (timeout, SERVFAIL, refused: the resolver rejects) keeps the last good endpoints
//   (update_failure): DNS being down must not take a healthy cluster down with it.

import type { Locality } from '../config/model.ts'
import type { Clock, TimerHandle } from './clock.ts'
import type { Cluster } from './cluster.ts'
import type { Resolver } from './resolver.ts'

type Target = { readonly hostname: string; readonly port: number; readonly weight: number; readonly priority: number; readonly locality?: Locality; readonly localityWeight?: number; addresses: readonly string[]; answered: boolean }

/** Until every name has had an answer, a failed lookup is retried this soon rather than a refresh period later. */
export const WARMING_RETRY_MS = 250

export class DnsDiscovery {
  readonly #targets: Target[]
  #timer: TimerHandle | undefined
  #running = false
  #isWarm = false
  #markWarm: () => void = () => {}
  /** Resolves once every listed name has had an answer (addresses, or an authoritative none): Envoy's cluster warming. */
  readonly warmed = new Promise<void>((resolve) => (this.#markWarm = resolve))

  constructor(
    private readonly cluster: Cluster,
    private readonly resolver: Resolver,
    private readonly clock: Clock,
    private readonly log: (line: string) => void = () => {},
  ) {
    this.#targets = cluster.config.endpoints.map(({ address, port, weight = 1, priority = 0, locality, localityWeight }) => ({ hostname: address, port, weight, priority, locality, localityWeight, addresses: [], answered: false }))
  }

  /** First resolution (success or failure), then a refresh every dnsRefreshRateMs (sooner while not warm) until stop(). */
  async start(): Promise<void> {
    if (this.#running) return
    this.#running = true
    await this.refresh()
  }

  stop(): void {
    this.#running = false
    if (this.#timer !== undefined) this.clock.clearTimeout(this.#timer)
    this.#timer = undefined
  }

  /** Resolves every name once and applies the result; never rejects. */
  async refresh(): Promise<void> {
    await Promise.all(this.#targets.map((target) => this.#resolve(target)))
    // A refresh that was still out when stop() ran must not resurrect the membership or the timer.
    if (!this.#running) return
    // A name's weight goes to every address it resolves to, as Envoy's strict DNS gives each host
    // its lb_endpoint's load_balancing_weight (and its locality's priority).
    const members = this.#targets.flatMap((t) => t.addresses.map((address) => ({ address, port: t.port, hostname: t.hostname, weight: t.weight, priority: t.priority, locality: t.locality, localityWeight: t.localityWeight })))
    if (this.cluster.setMembers(members)) {
      this.log(`cluster ${this.cluster.name}: ${members.length} endpoint(s): ${members.map((m) => `${m.address}:${m.port}`).join(', ')}`)
    }
    if (!this.#isWarm && this.#targets.every((t) => t.answered)) {
      this.#isWarm = true
      this.#markWarm()
    }
    // Scheduled after the answer rather than on a fixed beat, so a slow DNS never stacks queries.
    const { dnsRefreshRateMs } = this.cluster.config
    this.#timer = this.clock.setTimeout(() => void this.refresh(), this.#isWarm ? dnsRefreshRateMs : Math.min(WARMING_RETRY_MS, dnsRefreshRateMs))
  }

  async #resolve(target: Target): Promise<void> {
    const { stats } = this.cluster
    stats.update_attempt.inc()
    let answer: string[]
    try {
      answer = await this.resolver.resolve(target.hostname)
    } catch (error) {
      stats.update_failure.inc()
      const reason = error instanceof Error ? error.message : String(error)
      this.log(`cluster ${this.cluster.name}: resolving ${target.hostname} failed (${reason}); keeping ${target.addresses.length} endpoint(s)`)
      return
    }
    stats.update_success.inc()
    target.answered = true
    if (answer.length === 0) stats.update_empty.inc()
    // logical_dns connects to one address at a time: the first of the answer, as Envoy does.
    target.addresses = this.cluster.config.type === 'logical_dns' ? answer.slice(0, 1) : answer
  }
}
