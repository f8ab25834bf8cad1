// Whether this process can run --concurrency workers: apart from worker-process.ts, whose
// node:child_process the process that serves would otherwise load (and keep) for this one check.

import process from 'node:process'

declare const Deno: { permissions: { querySync(descriptor: { name: string }): { state: string } }; listenDatagram?: unknown }

/** Why this process cannot run workers, or undefined when it can. */
export function workerSupport(): string | undefined {
  if (process.platform !== 'linux') return 'several processes on one port need SO_REUSEPORT (Linux)'
  if (!('Deno' in globalThis)) return undefined
  if (Deno.permissions.querySync({ name: 'run' }).state !== 'granted') return 'Deno needs --allow-run to start worker processes'
  // reusePort is unstable in Deno and exits the process without --unstable-net; listenDatagram
  // exists only under that same flag (or deno.json's "unstable": ["net"]), so it tells safely.
  if (typeof Deno.listenDatagram !== 'function') return 'Deno needs --unstable-net to share a port between worker processes'
  return undefined
}
