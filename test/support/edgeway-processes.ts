// Real edgeway processes for multi-hop tests: a proxy from a YAML file with the ports it bound,
// the bundled Zipkin store on a free port, and a bounded stop that never leaves a child behind.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnEdgeway, type EdgewayProcess } from './edgeway.ts'
import { unusedPort } from './sockets.ts'

/** The startup line: `edgeway <version> (<runtime>) <cluster>: ingress on 127.0.0.1:1234, admin on 127.0.0.1:5678`. */
const STARTED = /^edgeway \S+ \([^)]*\) [^:]*: (.+ on [^\n]+)\n/m

export type ProxyProcess = {
  readonly process: EdgewayProcess
  /** Bound port of the named listener (`admin` for the admin listener). */
  port(listener: string): number
  url(listener: string): string
}

export type StoreProcess = { readonly process: EdgewayProcess; readonly url: string }

/** Tracks what a test file starts so afterAll can stop all of it and remove its config files. */
export class ProcessGroup {
  readonly dir = mkdtempSync(join(tmpdir(), 'edgeway-tracing-'))
  readonly #processes: EdgewayProcess[] = []

  /** `runtime: 'deno'` runs this one child on Deno whatever EDGEWAY_TEST_RUNTIME says. */
  spawn(args: string[], env: Record<string, string> = {}, runtime?: 'bun' | 'deno'): EdgewayProcess {
    const child = runtime ? withTestRuntime(runtime, () => spawnEdgeway(args, env)) : spawnEdgeway(args, env)
    this.#processes.push(child)
    return child
  }

  /** Writes `yaml` to `<dir>/<name>.yaml` and returns the path. */
  write(name: string, yaml: string): string {
    const path = join(this.dir, `${name}.yaml`)
    writeFileSync(path, yaml)
    return path
  }

  /** Writes `yaml` to a file and runs `edgeway -c <file>`; resolves once the listeners are bound. */
  async proxy(name: string, yaml: string, env: Record<string, string> = {}, options: { runtime?: 'bun' | 'deno'; startTimeoutMs?: number; args?: string[] } = {}): Promise<ProxyProcess> {
    const startTimeoutMs = options.startTimeoutMs ?? 20_000
    const path = join(this.dir, `${name}.yaml`)
    writeFileSync(path, yaml)
    const child = this.spawn(['-c', path, ...(options.args ?? [])], env, options.runtime)
    await child.waitFor(STARTED, startTimeoutMs)
    const ports = new Map<string, number>()
    for (const [, listener, port] of child.stdout().match(STARTED)![1]!.matchAll(/(\S+) on [^,\s]+:(\d+)/g)) ports.set(listener!, Number(port))
    const port = (listener: string) => {
      const found = ports.get(listener)
      if (found === undefined) throw new Error(`${name} has no listener ${listener}; started: ${[...ports.keys()].join(', ')}`)
      return found
    }
    return { process: child, port, url: (listener) => `http://127.0.0.1:${port(listener)}` }
  }

  /** `edgeway zipkin --port <free port>`: the bundled store, base URL without /api/v2. */
  async zipkinStore(startTimeoutMs = 20_000): Promise<StoreProcess> {
    const port = await unusedPort()
    const child = this.spawn(['zipkin', '--port', String(port)])
    await child.waitFor('zipkin store listening on', startTimeoutMs)
    return { process: child, url: `http://127.0.0.1:${port}` }
  }

  /** SIGTERM, then SIGKILL after `timeoutMs`; resolves with each exit code. */
  async stopAll(timeoutMs = 5000): Promise<void> {
    await Promise.all(this.#processes.splice(0).map((child) => stop(child, timeoutMs)))
    rmSync(this.dir, { recursive: true, force: true })
  }
}

/** spawnEdgeway reads EDGEWAY_TEST_RUNTIME when called: set it for that call only. */
export function withTestRuntime<T>(runtime: 'bun' | 'deno', run: () => T): T {
  const before = process.env.EDGEWAY_TEST_RUNTIME
  process.env.EDGEWAY_TEST_RUNTIME = runtime
  try {
    return run()
  } finally {
    if (before === undefined) delete process.env.EDGEWAY_TEST_RUNTIME
    else process.env.EDGEWAY_TEST_RUNTIME = before
  }
}

export async function stop(child: EdgewayProcess, timeoutMs = 5000): Promise<number | null> {
  if (child.child.exitCode !== null || child.child.signalCode !== null) return child.child.exitCode
  child.kill('SIGTERM')
  let timer: ReturnType<typeof setTimeout> | undefined
  const killed = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      child.kill('SIGKILL')
      resolve(null)
    }, timeoutMs)
  })
  try {
    return await Promise.race([child.exited, killed])
  } finally {
    clearTimeout(timer)
  }
}

/** Polls `probe` until it returns a value (not undefined), for at most `timeoutMs`. */
export async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const deadline = performance.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await probe()
      if (value !== undefined) return value
    } catch (error) {
      last = error
    }
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`)
    await new Promise((resolve) => setTimeout(resolve, everyMs))
  }
}

/** One traced hop: a listener (`ingress` or `egress`) routing `prefix` to one static endpoint. */
export function tracedHopYaml(o: {
  cluster: string
  direction: 'ingress' | 'egress'
  prefix?: string
  upstream: string
  port: number
  zipkinUrl: string
  maxExportBatchSize?: number
}): string {
  const batch = o.maxExportBatchSize === undefined ? '' : `, max_export_batch_size: ${o.maxExportBatchSize}`
  return `
node: { cluster: ${o.cluster}, id: ${o.cluster}-1 }
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ${o.direction}
    address: 127.0.0.1
    port: 0
    access_log: false
    tracing: { operation_name: ${o.direction} }
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
          - match: { prefix: ${o.prefix ?? '/'} }
            route: { cluster: ${o.upstream} }
clusters:
  - name: ${o.upstream}
    connect_timeout: 0.25s
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${o.port} }] }
tracing:
  zipkin: { url: "${o.zipkinUrl}", scheduled_delay: 0.2s${batch} }
`
}
