// The replicas of service1 and service2 as the DNS server sees them: a replica (app + sidecar) is
// answered for its service name only while both halves are up and ready, and scaling adds or
// drains replicas the way Compose does (highest index goes first).

import { parseDuration } from '../../src/config/duration.ts'
import type { MeshDns } from './dns.ts'
import { SERVICES, type LaunchOptions, type ServiceName } from './options.ts'
import { waitReady } from './probe.ts'
import type { Supervisor } from './supervisor.ts'
import { planReplica, type ProcessPlan, type ReplicaPlan, type SharedEndpoints } from './topology.ts'

export type ReplicaView = {
  readonly name: string
  readonly service: ServiceName
  readonly address: string
  readonly inDns: boolean
}

type Replica = {
  readonly plan: ReplicaPlan
  inDns: boolean
  /** Bumped on every start/exit of either half, so a stale readiness probe gives up. */
  generation: number
  draining: boolean
}

export type MeshDeps = {
  readonly options: LaunchOptions
  readonly shared: SharedEndpoints
  readonly supervisor: Supervisor
  readonly dns: MeshDns
  readonly report: (message: string) => void
  /** Called whenever DNS membership changes (status file). */
  readonly changed: () => void
}

const READY_TIMEOUT_MS = 60_000

export class Mesh {
  readonly #deps: MeshDeps
  readonly #replicas = new Map<string, Replica>()
  #stopped = false

  constructor(deps: MeshDeps) {
    this.#deps = deps
  }

  replicas(): ReplicaView[] {
    return [...this.#replicas.values()]
      .sort((a, b) => a.plan.service.localeCompare(b.plan.service) || a.plan.index - b.plan.index)
      .map((r) => ({ name: r.plan.name, service: r.plan.service, address: r.plan.address, inDns: r.inDns }))
  }

  replicaPlans(): ReplicaPlan[] {
    return [...this.#replicas.values()].map((r) => r.plan)
  }

  allInDns(): boolean {
    return [...this.#replicas.values()].every((r) => r.inDns || r.draining)
  }

  /** Starts missing replicas (lowest free index first) and drains extra ones (highest first). */
  async scale(service: ServiceName, count: number): Promise<void> {
    const current = [...this.#replicas.values()].filter((r) => r.plan.service === service && !r.draining)
    const indexes = new Set(current.map((r) => r.plan.index))
    for (let index = 1; indexes.size < count; index++) {
      if (indexes.has(index)) continue
      indexes.add(index)
      this.#start(planReplica(this.#deps.options, this.#deps.shared, service, index))
    }
    const extra = current.sort((a, b) => b.plan.index - a.plan.index).slice(0, Math.max(0, current.length - count))
    await Promise.all(extra.map((replica) => this.#drain(replica)))
  }

  async scaleAll(): Promise<void> {
    await Promise.all(SERVICES.map((service) => this.scale(service, this.#deps.options.scale[service])))
  }

  /** Supervisor hook: a half (re)started; put the replica back in DNS once both halves answer. */
  onProcessStart(process: ProcessPlan): void {
    const replica = this.#replicas.get(process.group)
    if (!replica || replica.draining) return
    const generation = ++replica.generation
    const { app, sidecar } = replica.plan
    const stale = () => this.#stopped || replica.draining || replica.generation !== generation
    void waitReady([app.readyUrl, sidecar.readyUrl], { timeoutMs: READY_TIMEOUT_MS, cancelled: stale }).then((ready) => {
      if (stale()) return
      if (!ready) {
        this.#deps.report(`${replica.plan.name} not ready after ${READY_TIMEOUT_MS / 1000}s (${app.readyUrl}, ${sidecar.readyUrl})`)
        return
      }
      replica.inDns = true
      this.#deps.dns.add(replica.plan.service, replica.plan.address)
      this.#deps.report(`${replica.plan.name} ready: ${replica.plan.service} → ${this.#deps.dns.records(replica.plan.service).join(' ')}`)
      this.#deps.changed()
    })
  }

  /** Supervisor hook: half a replica is no replica; take it out of DNS until it is whole again. */
  onProcessExit(process: ProcessPlan): void {
    const replica = this.#replicas.get(process.group)
    if (!replica) return
    replica.generation++
    if (!replica.inDns) return
    replica.inDns = false
    this.#deps.dns.remove(replica.plan.service, replica.plan.address)
    // While stopping everything, that every replica leaves is no news.
    if (this.#stopped) return
    this.#deps.report(`${replica.plan.name} left DNS (${process.name} exited): ${replica.plan.service} → ${this.#deps.dns.records(replica.plan.service).join(' ') || 'no address'}`)
    this.#deps.changed()
  }

  stop(): void {
    this.#stopped = true
  }

  #start(plan: ReplicaPlan): void {
    this.#replicas.set(plan.name, { plan, inDns: false, generation: 0, draining: false })
    // The app first: the sidecar's readiness does not depend on it, but its first requests do.
    this.#deps.supervisor.start(plan.app)
    this.#deps.supervisor.start(plan.sidecar)
    this.#deps.changed()
  }

  /**
   * Out of DNS first, then stopped once every proxy has refreshed, so scaling down fails no
   * request: the same order as a rolling deploy behind Envoy.
   */
  async #drain(replica: Replica): Promise<void> {
    replica.draining = true
    replica.generation++
    if (replica.inDns) this.#deps.dns.remove(replica.plan.service, replica.plan.address)
    replica.inDns = false
    const refreshMs = parseDuration(this.#deps.options.dnsRefreshRate) ?? 5_000
    this.#deps.report(`${replica.plan.name} out of DNS; stopping it in ${((refreshMs + 1000) / 1000).toFixed(1)}s`)
    this.#deps.changed()
    await new Promise((r) => setTimeout(r, refreshMs + 1000))
    await Promise.all([this.#deps.supervisor.remove(replica.plan.sidecar.name), this.#deps.supervisor.remove(replica.plan.app.name)])
    this.#replicas.delete(replica.plan.name)
    this.#deps.report(`${replica.plan.name} stopped`)
    this.#deps.changed()
  }
}
