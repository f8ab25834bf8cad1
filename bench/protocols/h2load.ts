// h2load (nghttp2-client) for the HTTP/2 rows: a timed run over TLS with ALPN h2, parsed into
// req/s, mean request time and the failures that make a run invalid.

import { spawn } from 'node:child_process'
import { toolPath } from '../tools.ts'

export interface H2loadLoad {
  readonly clients: number
  /** Concurrent streams per client (h2load -m). */
  readonly streams: number
  readonly durationS: number
}

export interface H2loadResult {
  readonly requestsPerS: number
  readonly succeeded: number
  /** failed + errored + timeout, and any non-2xx status. */
  readonly failures: number
  readonly meanMs: number
  /** The protocol h2load negotiated ("h2" when ALPN chose it). */
  readonly protocol: string
}

const TIME_UNIT_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1_000 }

export function parseH2load(text: string): H2loadResult {
  const finished = /finished in [\d.]+\w+, ([\d.]+) req\/s/.exec(text)
  const requests = /requests: \d+ total, \d+ started, \d+ done, (\d+) succeeded, (\d+) failed, (\d+) errored, (\d+) timeout/.exec(text)
  const statuses = /status codes: (\d+) 2xx, (\d+) 3xx, (\d+) 4xx, (\d+) 5xx/.exec(text)
  const time = /time for request:\s+[\d.]+\w+\s+[\d.]+\w+\s+([\d.]+)(us|ms|s)/.exec(text)
  const protocol = /Application protocol: (\S+)/.exec(text)
  if (!finished || !requests || !statuses) throw new Error(`unexpected h2load output:\n${text}`)
  const [, succeeded, failed, errored, timeout] = requests.map(Number) as [number, number, number, number, number]
  const non2xx = Number(statuses[2]) + Number(statuses[3]) + Number(statuses[4])
  return {
    requestsPerS: Number(finished[1]),
    succeeded,
    failures: failed + errored + timeout + non2xx,
    meanMs: time ? Number(time[1]) * (TIME_UNIT_MS[time[2] as string] ?? 1) : Number.NaN,
    protocol: protocol?.[1] ?? 'none',
  }
}

export function runH2load(url: string, load: H2loadLoad, signal: AbortSignal): Promise<H2loadResult> {
  const args = ['-t1', `-c${load.clients}`, `-m${load.streams}`, `-D${load.durationS}`, url]
  return new Promise((resolve, reject) => {
    const child = spawn(toolPath('h2load') ?? 'h2load', args, { stdio: ['ignore', 'pipe', 'pipe'], signal })
    let output = ''
    child.stdout.on('data', (chunk) => (output += chunk))
    child.stderr.on('data', (chunk) => (output += chunk))
    child.on('error', reject)
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`h2load ${args.join(' ')} exited with ${code}:\n${output}`))
      try {
        resolve(parseH2load(output))
      } catch (error) {
        reject(error)
      }
    })
  })
}
