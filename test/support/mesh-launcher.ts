// The real `npm start` launcher (compose/local/up.ts) for e2e tests: free ports and a loopback /16
// of its own, output to a log file, the status file it rewrites, and helpers to wait and query.

import { spawn, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { closeSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:net'
import { join } from 'node:path'
import type { MeshStatus } from '../../compose/local/status-file.ts'

const ROOT = join(import.meta.dir, '..', '..')
const BUN = join(ROOT, 'node_modules/.bin/bun')
const RESULTS = join(ROOT, 'test-results')

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const isAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

export async function eventually<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, log = ''): Promise<T> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    try {
      const value = await check()
      if (value !== undefined && value !== false) return value
    } catch {
      // not yet
    }
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms${log ? `; launcher log in ${log}` : ''}`)
    await sleep(100)
  }
}

function tcpFree(address: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer()
    server.once('error', () => done(false))
    server.listen(port, address, () => server.close(() => done(true)))
  })
}

function udpFree(address: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = createSocket('udp4')
    socket.once('error', () => done(false))
    socket.bind(port, address, () => socket.close(() => done(true)))
  })
}

/** A base port whose derived ports are all free, and a loopback /16 nobody else here uses. */
async function pickPorts(): Promise<{ base: number; prefix: string }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const candidate = 20_000 + Math.floor(Math.random() * 38_000)
    const prefix = `127.${100 + Math.floor(Math.random() * 150)}`
    const checks = await Promise.all([
      ...[0, 1, 443, 1411].map((offset) => tcpFree('127.0.0.1', candidate + offset)),
      udpFree('127.0.0.1', candidate + 53),
      ...[0, 1, 80, 1000].map((offset) => tcpFree(`${prefix}.1.1`, candidate + offset)),
    ])
    if (checks.every(Boolean)) return { base: candidate, prefix }
  }
  throw new Error('no free port range found')
}

export const text = async (url: string, init?: RequestInit) => {
  const response = await fetch(url, init)
  return { status: response.status, body: await response.text() }
}

export const stat = async (url: string, name: string): Promise<number> => {
  const body = await (await fetch(`${url}/stats?filter=${encodeURIComponent(`^${name.replaceAll('.', '\\.')}$`)}`)).text()
  const match = new RegExp(`^${name.replaceAll('.', '\\.')}: (\\d+)$`, 'm').exec(body)
  if (!match) throw new Error(`no stat ${name} in:\n${body}`)
  return Number(match[1])
}

export const replicaAddress = (body: string) => /resolvedhostname: (\S+)/.exec(body)?.[1]

export type Mesh = {
  readonly base: number
  readonly prefix: string
  readonly edge: string
  readonly admin: string
  readonly zipkin: string
  readonly logFile: string
  readonly launcher: ChildProcess
  readonly exited: Promise<number | null>
  status(): MeshStatus
  log(): string
  addressesOf(service: string): string[]
  /** Safety net for afterAll: SIGTERM, then SIGKILL whatever the launcher ever started. */
  cleanUp(): Promise<void>
}

/**
 * Starts the launcher with `args` and waits until it reports ready and /service/1 answers (unless
 * `wait: false`). `viaNpm`: as a user does, `npm start -- <args>`, so `launcher` is npm's process.
 */
export async function launchMesh(name: string, args: readonly string[], options: { wait?: boolean; viaNpm?: boolean } = {}): Promise<Mesh> {
  mkdirSync(RESULTS, { recursive: true })
  const logFile = join(RESULTS, `${name}.log`)
  const statusFile = join(RESULTS, `${name}-status-${process.pid}.json`)
  const { base, prefix } = await pickPorts()
  const out = openSync(logFile, 'w')
  const env: Record<string, string | undefined> = { ...process.env, NO_COLOR: '1' }
  for (const key of ['EDGEWAY_HTTP_PORT', 'EDGEWAY_HTTPS_PORT', 'EDGEWAY_ADMIN_PORT', 'ZIPKIN_PORT', 'ZIPKIN_URL', 'DNS_PORT', 'DNS_REFRESH_RATE', 'EDGEWAY_BASE_PORT']) delete env[key]
  const launchArgs = ['--base-port', String(base), '--ip-prefix', prefix, '--status-file', statusFile, ...args]
  const [command, commandArgs] = options.viaNpm ? ['npm', ['start', '--', ...launchArgs]] : [BUN, ['compose/local/up.ts', ...launchArgs]]
  // npm finds bun in node_modules/.bin itself; the test's own PATH may not have it.
  const launcher = spawn(command, commandArgs, { cwd: ROOT, env, stdio: ['pipe', out, out] })
  closeSync(out)
  const exited = new Promise<number | null>((done) => launcher.once('exit', (code) => done(code)))
  const status = (): MeshStatus => JSON.parse(readFileSync(statusFile, 'utf8'))
  const edge = `http://127.0.0.1:${base}`
  const mesh: Mesh = {
    base,
    prefix,
    edge,
    admin: `http://127.0.0.1:${base + 1}`,
    zipkin: `http://127.0.0.1:${base + 1411}`,
    logFile,
    launcher,
    exited,
    status,
    log: () => readFileSync(logFile, 'utf8'),
    addressesOf: (service) => status().replicas.filter((r) => r.service === service).map((r) => r.address).sort(),
    async cleanUp() {
      if (launcher.exitCode === null && launcher.signalCode === null) {
        launcher.kill('SIGTERM')
        await Promise.race([exited, sleep(15_000)])
      }
      try {
        // The launcher's own PID too: under npm, `launcher` is npm's process, not the launcher's.
        const { launcherPid, pidsSeen } = status()
        for (const pid of [launcherPid, ...pidsSeen]) {
          try {
            process.kill(pid, 'SIGKILL')
          } catch {
            // gone, as it should be
          }
        }
        rmSync(statusFile, { force: true })
      } catch {
        // no status file: the launcher never started
      }
    },
  }
  if (options.wait === false) return mesh
  await eventually('launcher ready', () => status().state === 'ready', 60_000, logFile)
  await eventually('/service/1 answers 200', async () => (await fetch(`${edge}/service/1`)).status === 200, 10_000, logFile)
  return mesh
}
