// Starts edgeway for a test: in-process from YAML text (fast, real listeners on ephemeral ports),
// or as a real child process through the CLI.

import { spawn, type ChildProcess } from 'node:child_process'
import { HEADER_LIMIT_FLAG } from '../../src/adapter/bun-header-limit.ts'
import { detectRuntime } from '../../src/adapter/detect.ts'
import { StatsStore } from '../../src/stats/stats-store.ts'
import { parseConfig } from '../../src/config/load-config.ts'
import { startEdgeway, type RunningEdgeway } from '../../src/server.ts'
import type { RequestTracer } from '../../src/proxy/request-tracer.ts'

export const ROOT = new URL('../../', import.meta.url).pathname

export type TestProxy = RunningEdgeway & {
  /** `http://127.0.0.1:<port>` of the named listener (default: the first). */
  url(listener?: string): string
  adminUrl(): string
  /** Access-log and notice output so far. */
  output(): string
}

export async function startProxy(yaml: string, options: { env?: Record<string, string>; tracer?: RequestTracer } = {}): Promise<TestProxy> {
  const config = parseConfig(yaml, 'test.yaml', { env: (name) => options.env?.[name] })
  let output = ''
  const running = await startEdgeway(config, {
    runtime: await detectRuntime(),
    version: 'test',
    commandLineOptions: {},
    stats: new StatsStore(),
    write: (chunk) => void (output += chunk),
    ...(options.tracer && { tracer: options.tracer }),
  })
  const first = config.listeners[0]!.name
  return Object.assign(running, {
    url: (listener = first) => `http://127.0.0.1:${running.ports.get(listener)}`,
    adminUrl: () => `http://127.0.0.1:${running.ports.get('admin')}`,
    output: () => output,
  })
}

/** A one-route front proxy config in front of the given endpoints (static cluster). */
export function frontProxyYaml(endpoints: { address: string; port: number }[], extra: { route?: string; cluster?: string; listener?: string } = {}): string {
  return `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
${indent(extra.listener ?? '', 4)}
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes:
          - match: { prefix: /service/1 }
            route:
              cluster: service1
${indent(extra.route ?? '', 14)}
clusters:
  - name: service1
    connect_timeout: 0.25s
${indent(extra.cluster ?? '', 4)}
    load_assignment:
      endpoints:
${endpoints.map((e) => `        - { address: ${e.address}, port: ${e.port} }`).join('\n')}
`
}

function indent(text: string, spaces: number): string {
  return text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => ' '.repeat(spaces) + line.trim().replace(/^\|/, ''))
    .join('\n')
}

export type EdgewayProcess = {
  readonly child: ChildProcess
  stdout(): string
  stderr(): string
  /** Resolves with the exit code. */
  exited: Promise<number | null>
  /** Waits until stdout contains `text`. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>
  kill(signal?: NodeJS.Signals): void
}

/** Runs the real CLI (`bun src/main.ts ...`, or Deno with EDGEWAY_TEST_RUNTIME=deno). */
export function spawnEdgeway(args: string[], env: Record<string, string> = {}): EdgewayProcess {
  const deno = process.env.EDGEWAY_TEST_RUNTIME === 'deno'
  const command = deno ? `${ROOT}node_modules/.bin/deno` : `${ROOT}node_modules/.bin/bun`
  // Each runtime's flags as bin/edgeway passes them (Deno's V8 young-generation cap, Bun's header
  // limit), so tests run the shipped command.
  const argv = deno
    ? ['run', '--v8-flags=--max-semi-space-size=8', '--allow-net', '--allow-env', '--allow-read', '--allow-write', '--allow-sys', '--allow-run', '--unstable-net', `${ROOT}src/main.ts`, ...args]
    : [HEADER_LIMIT_FLAG, `${ROOT}src/main.ts`, ...args]
  const child = spawn(command, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout!.on('data', (b) => (out += b))
  child.stderr!.on('data', (b) => (err += b))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    child,
    stdout: () => out,
    stderr: () => err,
    exited,
    kill: (signal = 'SIGTERM') => void child.kill(signal),
    async waitFor(text, timeoutMs = 10_000) {
      const deadline = performance.now() + timeoutMs
      const seen = () => (typeof text === 'string' ? out.includes(text) : text.test(out))
      while (!seen()) {
        if (performance.now() > deadline) throw new Error(`edgeway did not print ${text} within ${timeoutMs} ms; stdout:\n${out}\nstderr:\n${err}`)
        if (child.exitCode !== null) throw new Error(`edgeway exited with ${child.exitCode} before printing ${text}; stderr:\n${err}`)
        await new Promise((r) => setTimeout(r, 25))
      }
    },
  }
}

/** Ports from the startup line: `... ingress_http on 127.0.0.1:41234, admin on 127.0.0.1:40111`. */
export async function startedPorts(edgeway: EdgewayProcess, timeoutMs = 20_000): Promise<Map<string, number>> {
  await edgeway.waitFor(/ on 127\.0\.0\.1:\d+.*\n/, timeoutMs)
  const line = edgeway.stdout().split('\n').find((l) => / on 127\.0\.0\.1:\d+/.test(l))!
  return new Map([...line.matchAll(/(\w+) on 127\.0\.0\.1:(\d+)/g)].map((m) => [m[1]!, Number(m[2])]))
}
