// What every bench peer (direct, nginx, haproxy, edgeway variants) provides: start on loopback, stop by PID.

import type { Processes } from '../processes.ts'

export interface PeerContext {
  readonly processes: Processes
  /** A fresh directory for this peer's config, logs, pid and temp files. */
  readonly workDir: string
  readonly repoDir: string
  readonly upstreamPort: number
  readonly collectorPort: number
}

export interface RunningPeer {
  /** Where wrk sends /service/1 traffic. */
  readonly port: number
  /** The process whose RSS (with its children) is reported; absent for direct. */
  readonly pid?: number
  readonly adminPort?: number
  /** Set when the peer exports spans: the serviceName the collector counts them under. */
  readonly tracedAs?: string
  /** With tracedAs: the exporter's scheduled delay, which the span check waits a few of. */
  readonly exportDelayMs?: number
  stop(): Promise<void>
}

export interface Peer {
  readonly name: string
  /** Why this peer cannot run here, or undefined when it can. */
  unavailable(repoDir: string): string | undefined
  start(context: PeerContext): Promise<RunningPeer>
}

export const START_TIMEOUT_MS = 15_000
