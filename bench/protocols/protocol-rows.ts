// The protocol rows of `npm run bench`: TLS (wrk over https) and HTTP/2 (h2load, ALPN h2) to
// edgeway's TLS listener and to nginx `listen ssl http2` on the same certificate, and WebSocket
// messages/s through edgeway and the JavaScript peers against a direct connection; each with the
// proxy's CPU per request (or echoed message). Each run is --protocols seconds long.

import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Check } from '../report.ts'
import type { PeerContext, RunningPeer } from '../peers/peer.ts'
import { errorCount, runWrk } from '../wrk.ts'
import { runH2load } from './h2load.ts'
import { edgewayTls, nginxTls } from './tls-peers.ts'
import { cpuUsPer } from '../processes.ts'
import { runWebSocketRows } from './websocket-rows.ts'

export interface ProtocolRow {
  readonly row: 'TLS (HTTP/1.1)' | 'HTTP/2 over TLS' | 'WebSocket'
  readonly peer: string
  readonly tool: string
  /** req/s, or messages/s for WebSocket. */
  readonly rate: number
  /** p99 for wrk, mean for h2load, absent for WebSocket. */
  readonly latencyMs?: number
  /** The proxy's CPU µs per request (per echoed message for WebSocket); absent for direct. */
  readonly cpuUs?: number
  readonly reference: string
  readonly vsReference?: number
}

export const PROTOCOL_LOADS = { tlsConnections: 50, h2Clients: 10, h2Streams: 10, wsConnections: 50 } as const

type Context = Omit<PeerContext, 'workDir'> & { readonly workDir: string; readonly durationS: number; readonly signal: AbortSignal; readonly log: (line: string) => void }

export async function runProtocolRows(context: Context): Promise<{ rows: ProtocolRow[]; checks: Check[] }> {
  const rows: ProtocolRow[] = []
  const checks: Check[] = []
  const dir = (name: string) => {
    const path = join(context.workDir, name)
    mkdirSync(path, { recursive: true })
    return { ...context, workDir: path }
  }
  const started: RunningPeer[] = []
  try {
    const peers = [nginxTls, edgewayTls('bun'), edgewayTls('deno')]
    const running = new Map<string, RunningPeer>()
    for (const peer of peers) {
      context.log(`starting ${peer.name}`)
      const proxy = await peer.start(dir(peer.name))
      started.push(proxy)
      running.set(peer.name, proxy)
    }
    const rates = new Map<string, number>()
    for (const peer of peers) {
      const proxy = running.get(peer.name)!
      const url = `https://127.0.0.1:${proxy.port}/service/1`
      await runWrk(url, { connections: PROTOCOL_LOADS.tlsConnections, durationS: 1 }, context.signal)
      const { result: wrk, cpuUs: tlsCpuUs } = await cpuUsPer(proxy.pid!, () => runWrk(url, { connections: PROTOCOL_LOADS.tlsConnections, durationS: context.durationS }, context.signal), (r) => r.requests)
      context.log(`tls ${peer.name}: ${wrk.requestsPerS.toFixed(0)} req/s p99 ${wrk.p99Ms} ms`)
      rates.set(`tls ${peer.name}`, wrk.requestsPerS)
      rows.push({ row: 'TLS (HTTP/1.1)', peer: peer.name, tool: `wrk -c${PROTOCOL_LOADS.tlsConnections} https`, rate: wrk.requestsPerS, latencyMs: wrk.p99Ms, cpuUs: tlsCpuUs, reference: 'nginx-tls', vsReference: wrk.requestsPerS / rates.get('tls nginx-tls')! })
      checks.push({ ok: errorCount(wrk) === 0 && wrk.requests > 0, what: `${peer.name} TLS: ${wrk.requests} requests, ${errorCount(wrk)} errors` })
      const { result: h2, cpuUs: h2CpuUs } = await cpuUsPer(proxy.pid!, () => runH2load(url, { clients: PROTOCOL_LOADS.h2Clients, streams: PROTOCOL_LOADS.h2Streams, durationS: context.durationS }, context.signal), (r) => r.succeeded)
      context.log(`h2 ${peer.name}: ${h2.requestsPerS.toFixed(0)} req/s mean ${h2.meanMs} ms (${h2.protocol})`)
      rates.set(`h2 ${peer.name}`, h2.requestsPerS)
      rows.push({ row: 'HTTP/2 over TLS', peer: peer.name, tool: `h2load -c${PROTOCOL_LOADS.h2Clients} -m${PROTOCOL_LOADS.h2Streams}`, rate: h2.requestsPerS, latencyMs: h2.meanMs, cpuUs: h2CpuUs, reference: 'nginx-tls', vsReference: h2.requestsPerS / rates.get('h2 nginx-tls')! })
      checks.push({ ok: h2.failures === 0 && h2.succeeded > 0 && h2.protocol === 'h2', what: `${peer.name} HTTP/2: ${h2.succeeded} succeeded, ${h2.failures} failed, protocol ${h2.protocol}` })
    }

    const ws = await runWebSocketRows({ ...dir('ws'), durationS: context.durationS, signal: context.signal }, PROTOCOL_LOADS.wsConnections)
    const directRate = ws[0]!.messagesPerS
    for (const row of ws) {
      context.log(`websocket ${row.peer}: ${row.messagesPerS.toFixed(0)} messages/s, ${row.errors} errors`)
      rows.push({ row: 'WebSocket', peer: row.peer, tool: `ws-client -c${PROTOCOL_LOADS.wsConnections} (1 in flight each)`, rate: row.messagesPerS, cpuUs: row.cpuUs, reference: 'direct', vsReference: row.messagesPerS / directRate })
      checks.push({ ok: row.errors === 0 && row.messagesPerS > 0, what: `${row.peer} WebSocket: ${row.messagesPerS.toFixed(0)} messages/s, ${row.errors} errors` })
    }
  } finally {
    for (const proxy of started.reverse()) await proxy.stop()
  }
  return { rows, checks }
}

export function renderProtocolRows(rows: readonly ProtocolRow[]): string[] {
  const fixed = (v: number | undefined, d: number) => (v === undefined || Number.isNaN(v) ? '—' : v.toFixed(d))
  return [
    '## Protocols: TLS, HTTP/2, WebSocket',
    '',
    '| row | peer | load | req/s (WebSocket: messages/s) | latency ms (wrk p99, h2load mean) | proxy CPU µs (a request; WebSocket: an echoed message) | ÷ reference |',
    '|---|---|---|--:|--:|--:|--:|',
    ...rows.map((r) => `| ${r.row} | ${r.peer} | ${r.tool} | ${fixed(r.rate, 0)} | ${fixed(r.latencyMs, 2)} | ${fixed(r.cpuUs, 1)} | ${fixed(r.vsReference, 2)} (${r.reference}) |`),
    '',
  ]
}
