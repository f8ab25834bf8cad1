// Runs wrk against one URL for a bounded time and parses its report (throughput, latency, errors).

import { spawn } from 'node:child_process'
import { pinned } from './pinning.ts'
import { toolPath } from './tools.ts'

export interface WrkLoad {
  readonly connections: number
  readonly durationS: number
}

export interface SocketErrors {
  connect: number
  read: number
  write: number
  timeout: number
}

export interface WrkResult {
  requests: number
  elapsedS: number
  mibRead: number
  requestsPerS: number
  p50Ms: number
  p99Ms: number
  mibPerS: number
  /** wrk counts every status >= 400 here (its label says "Non-2xx or 3xx"). */
  non2xx: number
  socketErrors: SocketErrors
}

const TIME_UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }
const SIZE_UNIT_MIB: Record<string, number> = { B: 1 / 1024 ** 2, KB: 1 / 1024, MB: 1, GB: 1024, TB: 1024 ** 2 }

export function parseWrk(text: string): WrkResult {
  const totals = /(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)(B|KB|MB|GB|TB) read/.exec(text)
  const rps = /Requests\/sec:\s+([\d.]+)/.exec(text)
  const transfer = /Transfer\/sec:\s+([\d.]+)(B|KB|MB|GB|TB)/.exec(text)
  const p50 = /^\s+50%\s+([\d.]+)(us|ms|s|m|h)/m.exec(text)
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m|h)/m.exec(text)
  if (!totals || !rps || !transfer || !p50 || !p99) throw new Error(`unexpected wrk output (was --latency given?):\n${text}`)
  const errors = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text)
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text)
  return {
    requests: Number(totals[1]),
    elapsedS: toMs(totals[2], totals[3]) / 1_000,
    mibRead: toMiB(totals[4], totals[5]),
    requestsPerS: Number(rps[1]),
    p50Ms: toMs(p50[1], p50[2]),
    p99Ms: toMs(p99[1], p99[2]),
    mibPerS: toMiB(transfer[1], transfer[2]),
    non2xx: non2xx ? Number(non2xx[1]) : 0,
    socketErrors: errors
      ? { connect: Number(errors[1]), read: Number(errors[2]), write: Number(errors[3]), timeout: Number(errors[4]) }
      : { connect: 0, read: 0, write: 0, timeout: 0 },
  }
}

export function errorCount(result: WrkResult): number {
  const e = result.socketErrors
  return result.non2xx + e.connect + e.read + e.write + e.timeout
}

/** One thread, as the issue asks: the proxies under test get one core each, wrk the other. */
export function runWrk(url: string, load: WrkLoad, signal: AbortSignal, cpus?: string): Promise<WrkResult> {
  const [bin, args] = pinned(cpus, toolPath('wrk') ?? 'wrk', ['-t1', `-c${load.connections}`, `-d${load.durationS}s`, '--latency', url])
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'], signal })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    // wrk stops itself after -d; this only guards against a hung socket keeping it alive
    const guard = setTimeout(() => child.kill('SIGKILL'), (load.durationS + 15) * 1_000)
    child.once('error', (error) => { clearTimeout(guard); reject(error) })
    child.once('close', (code) => {
      clearTimeout(guard)
      if (code !== 0) return reject(new Error(`wrk ${args.join(' ')} exited with ${code}:\n${output}`))
      try {
        resolve(parseWrk(output))
      } catch (error) {
        reject(error)
      }
    })
  })
}

function toMs(value: string | undefined, unit: string | undefined): number {
  return Number(value) * (TIME_UNIT_MS[unit as string] ?? Number.NaN)
}

function toMiB(value: string | undefined, unit: string | undefined): number {
  return Number(value) * (SIZE_UNIT_MIB[unit as string] ?? Number.NaN)
}
