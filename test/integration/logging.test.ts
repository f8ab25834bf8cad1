// Leveled logs through the real CLI: `--log-level debug` shows the router's decisions (route,
// cluster, each attempt and its outcome, the answer); at info they are absent until POST
// /logging?router=debug turns them on in the running process, and /logging?level=info off again.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { frontProxyYaml, spawnEdgeway, startedPorts, type EdgewayProcess } from '../support/edgeway.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let dir: string
let upstream: Upstream
const running: EdgewayProcess[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeway-logging-'))
  upstream = await startUpstream({ name: 'echo' })
})

afterAll(async () => {
  for (const edgeway of running) if (edgeway.child.exitCode === null) edgeway.kill('SIGKILL')
  await upstream?.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function start(logLevel: string): Promise<{ edgeway: EdgewayProcess; url: string; admin: string }> {
  const path = join(dir, `${logLevel}.yaml`)
  writeFileSync(path, frontProxyYaml([{ address: '127.0.0.1', port: upstream.port }], { listener: 'access_log: false' }))
  const edgeway = spawnEdgeway(['-c', path, '--concurrency', '1', '--log-level', logLevel])
  running.push(edgeway)
  const ports = await startedPorts(edgeway, 30_000)
  return { edgeway, url: `http://127.0.0.1:${ports.get('ingress_http')}`, admin: `http://127.0.0.1:${ports.get('admin')}` }
}

async function get(url: string, requestId: string): Promise<number> {
  const response = await fetch(url, { headers: { 'x-request-id': requestId } })
  await response.arrayBuffer()
  return response.status
}

describe('router debug logging', () => {
  test('--log-level debug: route, attempt, outcome and answer of each request, tagged with its request id', async () => {
    const { edgeway, url } = await start('debug')
    expect(await get(`${url}/service/1/a`, 'debug-run-1')).toBe(200)
    expect(await get(`${url}/nowhere`, 'debug-run-2')).toBe(404)
    await edgeway.waitFor('[debug-run-2] responding 404', 10_000)
    const out = edgeway.stdout()
    expect(out).toMatch(/\]\[debug\]\[router\] \[debug-run-1\] GET 127\.0\.0\.1:\d+\/service\/1\/a: route '\/service\/1', cluster 'service1'\n/)
    expect(out).toMatch(new RegExp(`\\[debug-run-1\\] attempt 1 to 127\\.0\\.0\\.1:${upstream.port} \\(`))
    expect(out).toContain(`[debug-run-1] attempt 1 to 127.0.0.1:${upstream.port} answered 200`)
    expect(out).toContain('[debug-run-1] responding 200 (via_upstream)')
    expect(out).toContain('[debug-run-2] GET ')
    expect(out).toContain('/nowhere: no route')
  })

  test('at info nothing is logged per request; POST /logging turns the router debug on and off live', async () => {
    const { edgeway, url, admin } = await start('info')
    expect(await get(`${url}/service/1/b`, 'quiet-1')).toBe(200)
    const listing = await (await fetch(`${admin}/logging`)).text()
    expect(listing).toContain('  router: info\n')
    const on = await fetch(`${admin}/logging?router=debug`, { method: 'POST' })
    expect(on.status).toBe(200)
    expect(await on.text()).toContain('  router: debug\n')
    expect(await get(`${url}/service/1/c`, 'loud-1')).toBe(200)
    await edgeway.waitFor('[loud-1] responding 200', 10_000)
    expect(await (await fetch(`${admin}/logging?level=info`, { method: 'POST' })).text()).toContain('  router: info\n')
    expect(await get(`${url}/service/1/d`, 'quiet-2')).toBe(200)
    // The listing's answer came after quiet-2 was served, so its log line would be out by now.
    await (await fetch(`${admin}/logging`)).text()
    expect(edgeway.stdout()).not.toContain('[quiet-1]')
    expect(edgeway.stdout()).not.toContain('[quiet-2]')
  })
})
