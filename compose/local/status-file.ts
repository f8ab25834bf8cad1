// The launcher's state as a JSON file (`--status-file`), rewritten on every change, so a test or
// script can find PIDs and addresses without parsing the console.

import { renameSync, writeFileSync } from 'node:fs'
import type { ReplicaView } from './mesh.ts'
import type { ProcessState } from './supervisor.ts'

export type MeshStatus = {
  readonly launcherPid: number
  /** `starting` until every process answered its readiness URL once; `stopped` after a clean stop. */
  readonly state: 'starting' | 'ready' | 'stopping' | 'stopped'
  readonly urls: Readonly<Record<string, string>>
  readonly dnsServer: string
  readonly processes: readonly ProcessState[]
  readonly replicas: readonly ReplicaView[]
  /** Every child PID ever started, restarts included. */
  readonly pidsSeen: readonly number[]
}

export function writeStatusFile(path: string, status: MeshStatus): void {
  // Rename over the old file, so a reader never sees half a JSON document.
  const temporary = `${path}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(status, null, 2)}\n`)
  renameSync(temporary, path)
}
