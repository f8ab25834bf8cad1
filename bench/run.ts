// `npm run bench`: starts an upstream and every peer on loopback, runs wrk against each, interleaved
// over rounds in alternating order, checks errors and spans, prints the table and writes it to a file.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { checkSpans } from './span-check.ts'
import { environmentNotes } from './environment.ts'
import { freePort, waitForPort } from './free-port.ts'
import { parseOptions, type BenchOptions } from './options.ts'
import { bunMinimal } from './peers/bun-minimal.ts'
import { bunPassthrough, fastifyHttpProxy, floorPeers, honoProxyBun, honoProxyDeno, nodeHttpProxy } from './peers/script-peer.ts'
import { renderTargets, targets } from './targets.ts'
import { direct } from './peers/direct.ts'
import { EXPORT_DELAY_MS, LISTENER_NAME, SPANS_PER_REQUEST, edgeway } from './peers/edgeway.ts'
import { haproxy } from './peers/haproxy.ts'
import { nginx, nginxPeer } from './peers/nginx.ts'
import { planPinning, type Pinning } from './pinning.ts'
import type { Peer, RunningPeer } from './peers/peer.ts'
import { Processes, treeCpuUs, treeRssKiB } from './processes.ts'
import { markCpu, othersCores, renderOthers } from './others-cpu.ts'
import { renderMarkdown, summarize, type Check, type LoadName, type Sample } from './report.ts'
import { renderSoak, runSoak, soakChecks } from './soak.ts'
import { renderProtocolRows, runProtocolRows } from './protocols/protocol-rows.ts'
import { ensureTools } from './tools.ts'
import { errorCount, runWrk, type WrkLoad, type WrkResult } from './wrk.ts'

const REPO_DIR = resolve(import.meta.dirname, '..')
// The order is the order of a round: each target's peer runs right beside its reference (Hono,
// logged, untraced, pass-through, traced; Deno traced beside Hono on Deno), so the box's drift within
// a round moves both sides of a ratio alike.
const ALL_PEERS: readonly Peer[] = [
  direct, nginx, haproxy, fastifyHttpProxy, nodeHttpProxy, bunMinimal, edgeway('bun', false, 2),
  honoProxyBun, edgeway('bun', false, 1, 'large', true), edgeway('bun', false), bunPassthrough, edgeway('bun', true),
  edgeway('deno', true), honoProxyDeno,
  // Bun's two upstream clients side by side (README "Performance"); not in a full run, name them with --peers.
]
const EXTRA_PEERS: readonly Peer[] = [edgeway('bun', false, 1, 'large', false, 'fetch'), edgeway('bun', false, 1, 'large', false, 'http1'), edgeway('bun', false, 1, 'large', false, undefined, undefined, 'bytes'), edgeway('deno', false), edgeway('bun', true, 1, 'default', false, undefined, 'shipped-export'), edgeway('bun', true, 1, 'batch2048', false, undefined, 'batch2048'), ...floorPeers]
const LOADS: Record<LoadName, { path: string; connections: number }> = {
  small: { path: '/service/1', connections: 50 },
  big: { path: '/service/1/big', connections: 10 },
}
const LOAD_NAMES: readonly LoadName[] = ['small', 'big']
/** The soak runs the traced Bun build with the shipped export queue, the one that could hold memory. */
const SOAK_PEER = edgeway('bun', true, 1, 'default')

interface Tally { requests: number; slack: number; failures: string[]; runs: number }

async function main(options: BenchOptions, workDir: string, processes: Processes, signal: AbortSignal, pinning: Pinning | undefined): Promise<boolean> {
  const peers = selectPeers(options.peers, pinning)
  const upstreamPort = await freePort()
  const bun = join(REPO_DIR, 'node_modules/.bin/bun')
  const upstream = processes.start('upstream', bun, [join(REPO_DIR, 'bench/upstream.ts')], { logFile: join(workDir, 'upstream.log'), env: { PORT: String(upstreamPort) } })
  await waitForPort(upstreamPort, 10_000, upstream.alive)
  const collectorPort = await freePort()
  const collector = processes.start('collector', bun, [join(REPO_DIR, 'bench/collector.ts')], { logFile: join(workDir, 'collector.log'), env: { PORT: String(collectorPort) } })
  await waitForPort(collectorPort, 10_000, collector.alive)

  const running = new Map<string, RunningPeer>()
  for (const peer of peers) {
    const peerDir = join(workDir, peer.name)
    mkdirSync(peerDir)
    log(`starting ${peer.name}`)
    running.set(peer.name, await peer.start({ processes, workDir: peerDir, repoDir: REPO_DIR, upstreamPort, collectorPort }))
  }

  const tallies = new Map(peers.map((p) => [p.name, { requests: 0, slack: 0, failures: [], runs: 0 } as Tally]))
  const measure = async (peer: string, load: LoadName, durationS: number, label: string): Promise<{ result: WrkResult; cpuUsPerRequest?: number; othersCores: number }> => {
    if (signal.aborted) throw new Error('interrupted')
    const proxy = running.get(peer) as RunningPeer
    const wrkLoad: WrkLoad = { connections: LOADS[load].connections, durationS }
    const cpuBefore = proxy.pid === undefined ? undefined : treeCpuUs(proxy.pid)
    const boxBefore = markCpu()
    const result = await runWrk(`http://127.0.0.1:${proxy.port}${LOADS[load].path}`, wrkLoad, signal, pinning?.wrk)
    const others = othersCores(boxBefore, markCpu())
    const cpuUsPerRequest = cpuBefore === undefined || result.requests === 0 ? undefined : (treeCpuUs(proxy.pid!) - cpuBefore) / result.requests
    const tally = tallies.get(peer) as Tally
    tally.requests += result.requests
    tally.slack += wrkLoad.connections
    tally.runs += 1
    if (errorCount(result) > 0) tally.failures.push(`${label} ${load}: ${result.non2xx} non-2xx, socket errors ${JSON.stringify(result.socketErrors)}`)
    const perResponseMiB = result.mibRead / Math.max(1, result.requests)
    // wrk counts the bytes of responses still in flight when it stops (up to one per connection), so
    // the bound widens by connections ÷ requests; the short warm-up is counted for errors only.
    const inFlight = 1 + wrkLoad.connections / Math.max(1, result.requests)
    if (label !== 'warm-up' && load === 'big' && (perResponseMiB < 0.99 / inFlight || perResponseMiB > 1.02 * inFlight)) tally.failures.push(`${label} big: ${perResponseMiB.toFixed(3)} MiB per response, expected 1 MiB`)
    log(`${label} ${peer} ${load}: ${result.requestsPerS.toFixed(0)} req/s p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms${cpuUsPerRequest === undefined ? '' : ` cpu ${cpuUsPerRequest.toFixed(1)} µs/req`}, others ${others.toFixed(2)} cores`)
    return { result, cpuUsPerRequest, othersCores: others }
  }

  for (const peer of peers) for (const load of LOAD_NAMES) await measure(peer.name, load, options.warmupS, 'warm-up')
  const samples: Sample[] = []
  for (let round = 0; round < options.rounds; round++) {
    // Load outside, peers inside: the runs a ratio compares are neighbours in time, not a whole
    // other load's worth of runs apart.
    const order = round % 2 === 0 ? peers : [...peers].reverse()
    const loads = round % 2 === 0 ? LOAD_NAMES : [...LOAD_NAMES].reverse()
    for (const load of loads) {
      for (const peer of order) {
        const { result, cpuUsPerRequest, othersCores: others } = await measure(peer.name, load, options.durationS, `round ${round + 1}`)
        const pid = running.get(peer.name)?.pid
        samples.push({ round, peer: peer.name, load, result, cpuUsPerRequest, othersCores: others, rssKiB: pid === undefined ? undefined : treeRssKiB(pid), anonKiB: pid === undefined ? undefined : treeRssKiB(pid, 'RssAnon') })
      }
    }
  }

  const checks: Check[] = peers.map((peer) => {
    const tally = tallies.get(peer.name) as Tally
    return { ok: tally.failures.length === 0, what: tally.failures.length === 0 ? `${peer.name}: ${tally.runs} runs, no non-2xx, no socket errors, big bodies 1 MiB` : `${peer.name}: ${tally.failures.join('; ')}` }
  })
  for (const peer of peers) {
    const proxy = running.get(peer.name) as RunningPeer
    if (!proxy.tracedAs) continue
    const tally = tallies.get(peer.name) as Tally
    checks.push(await checkSpans({ peer: peer.name, serviceName: proxy.tracedAs, collectorPort, adminPort: proxy.adminPort, statPrefix: LISTENER_NAME, wrkRequests: tally.requests, spansPerRequest: SPANS_PER_REQUEST, inFlightSlack: tally.slack, exportDelayMs: proxy.exportDelayMs ?? EXPORT_DELAY_MS }))
  }

  // TLS, HTTP/2 and WebSocket rows (bench/protocols/): their own peers, bounded by --protocols seconds a run.
  let protocolSection: string[] = []
  if (options.protocolS > 0 && !pinning) {
    ensureTools(['wrk', 'nginx', 'h2load'], log)
    const protocolDir = join(workDir, 'protocols')
    mkdirSync(protocolDir)
    const protocols = await runProtocolRows({ processes, workDir: protocolDir, repoDir: REPO_DIR, upstreamPort, collectorPort, durationS: options.protocolS, signal, log })
    checks.push(...protocols.checks)
    protocolSection = renderProtocolRows(protocols.rows)
  }

  let soakSection = ''
  if (options.soakS > 0 && peers.some((p) => p.name === SOAK_PEER.name)) {
    // A port nothing listens on: every export fails, and the spans must be dropped, not kept.
    const deadCollectorPort = await freePort()
    const soakDir = join(workDir, 'soak')
    mkdirSync(soakDir)
    for (const proxy of running.values()) await proxy.stop()
    log(`soak: ${SOAK_PEER.name} with the collector down for ${options.soakS}s`)
    const proxy = await SOAK_PEER.start({ processes, workDir: soakDir, repoDir: REPO_DIR, upstreamPort, collectorPort: deadCollectorPort })
    const result = await runSoak(SOAK_PEER.name, proxy, `http://127.0.0.1:${proxy.port}${LOADS.small.path}`, options.soakS, signal)
    checks.push(...soakChecks(result))
    soakSection = renderSoak(result)
  }

  const rows = summarize(samples, peers.map((p) => p.name), LOAD_NAMES)
  const markdown = renderMarkdown(rows, checks, notes(options), [...renderTargets(targets(samples, rows)), ...renderOthers(samples), ...protocolSection]) + (soakSection && `\n${soakSection}`)
  const out = resolve(REPO_DIR, options.out)
  mkdirSync(dirname(out), { recursive: true })
  writeFileSync(out, markdown)
  console.log(`\n${markdown}\nwritten to ${out}`)
  return checks.every((c) => c.ok)
}

/** With --pin: direct, then nginx and edgeway on Bun side by side at each worker count. */
function scalingPeers(pinning: Pinning): Peer[] {
  return [direct, ...pinning.concurrencies.flatMap((n) => [nginxPeer(n), edgeway('bun', false, n)])]
}

function selectPeers(names: readonly string[] | undefined, pinning: Pinning | undefined): Peer[] {
  const known = pinning ? scalingPeers(pinning) : [...ALL_PEERS, ...EXTRA_PEERS]
  const unknown = (names ?? []).filter((n) => !known.some((p) => p.name === n))
  if (unknown.length > 0) throw new Error(`unknown peer ${unknown.join(', ')}; known: ${known.map((p) => p.name).join(', ')}`)
  const peers = names ? known.filter((p) => names.includes(p.name)) : pinning ? [...known] : [...ALL_PEERS]
  // Installed first (apt-get, when missing), so a fresh machine's nginx and haproxy peers can run.
  ensureTools(['wrk', ...peers.map((p) => p.name).filter((n) => n === 'nginx' || n === 'haproxy')], log)
  const blocked = peers.map((p) => [p.name, p.unavailable(REPO_DIR)] as const).filter(([, why]) => why)
  if (blocked.length > 0) {
    const runnable = peers.filter((p) => !blocked.some(([n]) => n === p.name)).map((p) => p.name).join(',')
    throw new Error(`cannot run ${blocked.map(([n, why]) => `${n} (${why})`).join(', ')}; to leave them out: --peers ${runnable}`)
  }
  return peers
}

function notes(options: BenchOptions): string[] {
  return [
    `load: wrk -t1, small = ${LOADS.small.path} (90-byte body) with -c${LOADS.small.connections}, big = ${LOADS.big.path} (1 MiB body) with -c${LOADS.big.connections}; ` +
      `-d${options.durationS}s per run, ${options.rounds} round(s), each running every peer on one load then every peer on the other, peer and load order reversed in odd rounds, after a ${options.warmupS}s warm-up per peer and load${options.quick ? ' (--quick: a smoke check, not a measurement)' : ''}`,
    'figures are medians over rounds; ratios are medians of the per-round ratios (each peer against nginx/direct from the same round); the targets also give the lowest and highest per-round ratio; p99 ÷ nginx below 1 is better',
    'RSS = VmRSS of the proxy process and its children (nginx master + worker) after the load, the highest seen; anon = RssAnon, the same without file-backed pages (the runtime binary\'s code, shared by every process running it); direct has no proxy',
    'access logs are off everywhere: nginx `access_log off`, haproxy without `log`, edgeway `access_log: false`',
    'nginx: 1 worker, upstream keepalive 64, proxy_http_version 1.1, proxy_buffering off; haproxy: nbthread 1, http mode, keep-alive, http-reuse always; edgeway: 1 process (--concurrency 1), edgeway-bun-c2: a primary (admin only) and 2 workers on one port, RSS summed over the three',
    `edgeway traced: 100 % sampling, Zipkin export to bench/collector.ts (counts spans per service by scanning the body's bytes for the keys, a full JSON parse when the scan cannot be sure, answers 202; its CPU use on this box is part of the traced cost), a span per request plus one per upstream attempt; max_queue_size 200000 (shipped 2048, which drops spans when a loaded box slows the collector), the shipped batch (512) and scheduled_delay (${EXPORT_DELAY_MS} ms)`,
    `soak: edgeway-bun-traced with the shipped export queue (2048 spans) exporting to a port nothing listens on, wrk -t1 -c50 on the small body for --soak seconds (${options.soakS}), RSS every 5 s; flat = second-half peak within 8 MiB of the first half's`,
    'bun-minimal: bench/minimal-proxy.ts, Bun.serve + fetch with headers copied and nothing else (no routing, retries, stats, logs, tracing): what the runtime itself costs per request, for reference',
    'all traffic on 127.0.0.1; upstream = bench/upstream.ts on Bun, one process, shared by every peer',
    `protocols: one run of --protocols seconds (${options.protocolS}) per row after a 1 s wrk warm-up; nginx-tls = the nginx reference with \`listen ssl http2\`, edgeway-bun-tls and edgeway-deno-tls = one edgeway process with a TLS listener (ALPN h2, http/1.1), both on routes/certs/demo.crt; WebSocket = bench/protocols/ws-client.ts (50 connections, one 64-byte message in flight each) against bench/protocols/ws-echo.ts directly and through edgeway's upgrade_configs listener, bun-ws-relay (Bun.serve's upgrade and a WebSocket client per connection, each message relayed) and http-proxy on Node.js (ws: true, the sockets piped after the 101), one proxy running at a time; proxy CPU = its utime + stime across the run ÷ requests (WebSocket: ÷ echoed messages, one frame each way)`,
    ...environmentNotes(REPO_DIR),
  ]
}

function log(line: string): void {
  console.error(`[bench] ${line}`)
}

const abort = new AbortController()
for (const name of ['SIGINT', 'SIGTERM'] as const) process.once(name, () => { log(`${name}: stopping`); abort.abort() })
let exitCode = 1
let options: BenchOptions | undefined
let pinning: Pinning | undefined
try {
  options = parseOptions(process.argv.slice(2))
  if (options.pin) {
    const plan = planPinning(cpus().length)
    if ('cannot' in plan) {
      log(plan.cannot)
      process.exit(2)
    }
    pinning = plan
    log(`--pin: wrk on cpu ${plan.wrk}, upstream and collector on cpu ${plan.upstream}, proxies on cpus ${plan.proxy}; --concurrency ${plan.concurrencies.join(', ')}`)
  }
} catch (error) {
  log(error instanceof Error ? error.message : String(error))
  process.exit(1)
}
const processes = new Processes((name) => (pinning === undefined ? undefined : name === 'upstream' || name === 'collector' ? pinning.upstream : pinning.proxy))
const workDir = mkdtempSync(join(tmpdir(), 'edgeway-bench-'))
try {
  exitCode = (await main(options, workDir, processes, abort.signal, pinning)) ? 0 : 1
} catch (error) {
  log(error instanceof Error ? error.message : String(error))
} finally {
  await processes.stopAll()
  if (exitCode === 0) rmSync(workDir, { recursive: true, force: true })
  else log(`peer configs and logs kept in ${workDir}`)
}
process.exit(abort.signal.aborted ? 130 : exitCode)
