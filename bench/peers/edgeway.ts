// edgeway under test on Bun or Deno, tracing off or at 100 % sampling to the bench collector: one
// process (--concurrency 1, as the issue defines these peers) or a primary with N workers.

import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { buildBundle } from '../../scripts/bundle.ts'
import { HEADER_LIMIT_FLAG } from '../../src/adapter/bun-header-limit.ts'
import { DEFAULTS } from '../../src/config/defaults.ts'
import { freePort, waitForPort } from '../free-port.ts'
import { START_TIMEOUT_MS, type Peer, type PeerContext, type RunningPeer } from './peer.ts'

export type EdgewayRuntime = 'bun' | 'deno'

/** `deno run` as bin/edgeway runs it (its V8 flag included), with every permission. */
export const DENO_RUN = ['run', '-A', '--unstable-net', '--v8-flags=--max-semi-space-size=8']
/** bun's flag as bin/edgeway passes it: the default header limit without loading node:http. */
export const BUN_RUN = [HEADER_LIMIT_FLAG]

/** The traced rows' batch delay: the shipped scheduled_delay; the span check waits a few of these for the last batch. */
export const EXPORT_DELAY_MS = DEFAULTS.zipkin.scheduledDelayMs
/** The delay of the 'batch2048' variant (the traced rows' export settings before stop 32). */
const BATCH_2048_DELAY_MS = 500
/** A traced request without retries: the request span and one upstream attempt span. */
export const SPANS_PER_REQUEST = 2
/** No stat_prefix is set, so the listener's stats are `http.<name>.*`. */
export const LISTENER_NAME = 'ingress_http'

export type ExportQueue = 'large' | 'default' | 'batch2048'

interface ConfigPorts {
  listenerPort: number
  adminPort: number
  upstreamPort: number
  collectorPort?: number
  /**
   * 'large' (the traced rows): a 200000-span queue with the shipped batch size and delay (512, 1 s);
   * 'default': every export setting shipped, as the collector-down soak must; 'batch2048': the large
   * queue with batches of 2048 every 500 ms, the traced rows' settings before stop 32.
   */
  exportQueue?: ExportQueue
  /** The shipped default (text access log to stdout, here a file); off to compare with nginx's `access_log off`. */
  accessLog?: boolean
}

// access_log is off because nginx's and haproxy's are; a queue large enough for a 10 s run at
// full speed keeps the span check about the exporter, not about the default 2048-span queue (which
// dropped 0.9 % of a run's spans on this loaded box: bench/README.md, stop 32 span17). The batch size
// and delay are the shipped ones (512, 1 s): the 2048 / 500 ms used before held ~5–11 MiB more RSS
// after load at no lower CPU.
export function edgewayConfig(serviceCluster: string, ports: ConfigPorts): string {
  const traced = ports.collectorPort !== undefined
  const lines = [
    `node: { cluster: ${serviceCluster} }`,
    `admin: { address: 127.0.0.1, port: ${ports.adminPort} }`,
    'listeners:',
    `  - name: ${LISTENER_NAME}`,
    '    address: 127.0.0.1',
    `    port: ${ports.listenerPort}`,
    ports.accessLog ? '    access_log: { format: text }' : '    access_log: false',
    '    tracing: { operation_name: egress, random_sampling: 100 }',
    '    virtual_hosts:',
    '      - name: bench',
    '        domains: ["*"]',
    '        routes:',
    '          - match: { prefix: /service/1 }',
    '            route: { cluster: service1 }',
    'clusters:',
    '  - name: service1',
    '    type: static',
    '    connect_timeout: 0.25s',
    '    load_assignment:',
    `      endpoints: [{ address: 127.0.0.1, port: ${ports.upstreamPort} }]`,
  ]
  if (traced) {
    lines.push('tracing:', '  zipkin:', `    url: http://127.0.0.1:${ports.collectorPort}/api/v2/spans`)
    if (ports.exportQueue !== 'default') lines.push('    max_queue_size: 200000')
    if (ports.exportQueue === 'batch2048') lines.push('    max_export_batch_size: 2048', `    scheduled_delay: ${BATCH_2048_DELAY_MS}ms`)
  }
  return `${lines.join('\n')}\n`
}

/** `concurrency` is passed explicitly: the CLI's default (one worker per core) depends on the machine. */
export function edgeway(
  runtime: EdgewayRuntime,
  traced: boolean,
  concurrency = 1,
  exportQueue: ExportQueue = 'large',
  accessLog = false,
  /** Bun's upstream client when not the default (EDGEWAY_UPSTREAM_CLIENT), to compare the two. */
  upstreamClient?: 'fetch' | 'http1',
  /** Appended to the name (and so to the service the collector counts): a variant of the same row. */
  variant?: string,
  /** The byte-level listener (EDGEWAY_LISTENER=bytes, Bun only) in place of Bun.serve: the row is `<name>-bytes`. */
  listener?: 'bytes',
): Peer {
  const name = `edgeway-${runtime}${traced ? '-traced' : ''}${accessLog ? '-logged' : ''}${concurrency > 1 ? `-c${concurrency}` : ''}${upstreamClient ? `-${upstreamClient}` : ''}${variant ? `-${variant}` : ''}${listener ? `-${listener}` : ''}`
  const serviceCluster = `bench-${name}`
  return {
    name,
    unavailable(repoDir: string) {
      if (!existsSync(join(repoDir, 'src/main.ts'))) return 'src/main.ts does not exist yet'
      if (!existsSync(runtimeBinary(repoDir, runtime))) return `${runtime} is not in node_modules/.bin`
      return undefined
    },
    async start(context: PeerContext): Promise<RunningPeer> {
      const listenerPort = await freePort()
      const adminPort = await freePort()
      const conf = join(context.workDir, 'edgeway.yaml')
      const collectorPort = traced ? context.collectorPort : undefined
      writeFileSync(conf, edgewayConfig(serviceCluster, { listenerPort, adminPort, upstreamPort: context.upstreamPort, collectorPort, exportQueue, accessLog }))
      const entry = [bunEntry(runtime, context), '-c', conf, '--service-cluster', serviceCluster, '--concurrency', String(concurrency)]
      const args = runtime === 'bun' ? [...BUN_RUN, ...entry] : [...DENO_RUN, ...entry]
      const started = context.processes.start(name, runtimeBinary(context.repoDir, runtime), args, {
        cwd: context.repoDir,
        // ZIPKIN_URL would turn tracing on (and win over the config): the config alone decides here
        env: { ZIPKIN_URL: '', ...(upstreamClient && { EDGEWAY_UPSTREAM_CLIENT: upstreamClient }), ...(listener && { EDGEWAY_LISTENER: listener }) },
        logFile: join(context.workDir, 'stdout.log'),
      })
      await waitForPort(listenerPort, START_TIMEOUT_MS, started.alive)
      await waitForPort(adminPort, START_TIMEOUT_MS, started.alive)
      // The listener answers once worker 0 is up; /ready waits for every worker.
      await waitForReady(adminPort, START_TIMEOUT_MS, started.alive)
      return {
        port: listenerPort,
        // With workers, the primary's pid: the RSS column sums its process tree.
        pid: started.pid,
        adminPort,
        tracedAs: traced ? serviceCluster : undefined,
        exportDelayMs: exportQueue === 'batch2048' ? BATCH_2048_DELAY_MS : EXPORT_DELAY_MS,
        stop: () => context.processes.stop(started),
      }
    },
  }
}

async function waitForReady(adminPort: number, timeoutMs: number, alive: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline && alive()) {
    try {
      const response = await fetch(`http://127.0.0.1:${adminPort}/ready`, { signal: AbortSignal.timeout(1000) })
      await response.arrayBuffer()
      if (response.ok) return
    } catch {
      // not answering yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`edgeway's admin on port ${adminPort} did not report ready within ${timeoutMs} ms`)
}

/**
 * On Bun, what bin/edgeway runs: the bundle (scripts/bundle.ts), built here from the checkout under
 * test so it is never stale; a checkout from before the bundle runs its sources. Deno runs the sources.
 */
function bunEntry(runtime: EdgewayRuntime, context: PeerContext): string {
  if (runtime !== 'bun' || !existsSync(join(context.repoDir, 'scripts/bundle.ts'))) return 'src/main.ts'
  return buildBundle(context.repoDir, join(context.workDir, 'bundle'), runtimeBinary(context.repoDir, 'bun'))
}

function runtimeBinary(repoDir: string, runtime: EdgewayRuntime): string {
  return join(repoDir, 'node_modules/.bin', runtime)
}
