// edgeway under test: one process on Bun or Deno, tracing off or at 100 % sampling to the bench collector.

import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, waitForPort } from '../free-port.ts'
import { START_TIMEOUT_MS, type Peer, type PeerContext, type RunningPeer } from './peer.ts'

export type EdgewayRuntime = 'bun' | 'deno'

/** The exporter's batch delay; the span check waits a few of these for the last batch. */
export const EXPORT_DELAY_MS = 500
/** A traced request without retries: the request span and one upstream attempt span. */
export const SPANS_PER_REQUEST = 2
/** No stat_prefix is set, so the listener's stats are `http.<name>.*`. */
export const LISTENER_NAME = 'ingress_http'

interface ConfigPorts {
  listenerPort: number
  adminPort: number
  upstreamPort: number
  collectorPort?: number
}

// access_log is off because nginx's and haproxy's are; a queue large enough for a 10 s run at
// full speed keeps the span check about the exporter, not about the default 2048-span queue.
export function edgewayConfig(serviceCluster: string, ports: ConfigPorts): string {
  const traced = ports.collectorPort !== undefined
  const lines = [
    `node: { cluster: ${serviceCluster} }`,
    `admin: { address: 127.0.0.1, port: ${ports.adminPort} }`,
    'listeners:',
    `  - name: ${LISTENER_NAME}`,
    '    address: 127.0.0.1',
    `    port: ${ports.listenerPort}`,
    '    access_log: false',
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
    lines.push(
      'tracing:',
      '  zipkin:',
      `    url: http://127.0.0.1:${ports.collectorPort}/api/v2/spans`,
      '    max_queue_size: 200000',
      '    max_export_batch_size: 2048',
      `    scheduled_delay: ${EXPORT_DELAY_MS}ms`,
    )
  }
  return `${lines.join('\n')}\n`
}

export function edgeway(runtime: EdgewayRuntime, traced: boolean): Peer {
  const name = `edgeway-${runtime}${traced ? '-traced' : ''}`
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
      writeFileSync(conf, edgewayConfig(serviceCluster, { listenerPort, adminPort, upstreamPort: context.upstreamPort, collectorPort }))
      const entry = ['src/main.ts', '-c', conf, '--service-cluster', serviceCluster]
      const args = runtime === 'bun' ? entry : ['run', '-A', '--unstable-net', ...entry]
      const started = context.processes.start(name, runtimeBinary(context.repoDir, runtime), args, {
        cwd: context.repoDir,
        // ZIPKIN_URL would turn tracing on (and win over the config): the config alone decides here
        env: { ZIPKIN_URL: '' },
        logFile: join(context.workDir, 'stdout.log'),
      })
      await waitForPort(listenerPort, START_TIMEOUT_MS, started.alive)
      await waitForPort(adminPort, START_TIMEOUT_MS, started.alive)
      return {
        port: listenerPort,
        pid: started.pid,
        adminPort,
        tracedAs: traced ? serviceCluster : undefined,
        stop: () => context.processes.stop(started),
      }
    },
  }
}

function runtimeBinary(repoDir: string, runtime: EdgewayRuntime): string {
  return join(repoDir, 'node_modules/.bin', runtime)
}
