// The same entry point on Deno: proxied GET and POST, a gzip upstream body passed through
// encoded (edgeway's own HTTP/1.1 client never decodes), 404 NR, 503 UF and SIGTERM.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { ROOT, spawnEdgeway, type EdgewayProcess } from '../support/edgeway.ts'
import { withTestRuntime } from '../support/edgeway-processes.ts'
import { echo, startUpstream, type Upstream } from '../support/upstream.ts'
import { unusedEndpoint } from '../support/sockets.ts'
import { statusAndFlags, waitForLine } from '../support/access-log-lines.ts'

const DENO = `${ROOT}node_modules/.bin/deno`
const GZIPPED = gzipSync('hello from a gzip upstream\n'.repeat(20))

let dir: string
let upstream: Upstream
let edgeway: EdgewayProcess
let base: string
let port: number

beforeAll(async () => {
  expect(existsSync(DENO)).toBe(true) // a missing runtime fails loudly, never skips
  upstream = await startUpstream({
    handler: (request, received) =>
      received.path.startsWith('/service/1/gzip')
        ? new Response(GZIPPED, { headers: { 'content-type': 'text/plain', 'content-encoding': 'gzip' } })
        : echo('echo')(request, received),
  })
  const dead = await unusedEndpoint()
  dir = mkdtempSync(join(tmpdir(), 'edgeway-deno-'))
  const config = join(dir, 'deno.yaml')
  writeFileSync(
    config,
    `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes:
          - match: { prefix: /service/1 }
            route: { cluster: service1 }
          - match: { prefix: /dead }
            route: { cluster: dead }
clusters:
  - name: service1
    load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }] }
  - name: dead
    connect_timeout: 0.25s
    load_assignment: { endpoints: [{ address: ${dead.address}, port: ${dead.port} }] }
`,
  )
  edgeway = withTestRuntime('deno', () => spawnEdgeway(['-c', config]))
  await edgeway.waitFor(/ingress_http on 127\.0\.0\.1:\d+/, 30_000)
  expect(edgeway.stdout()).toContain('(deno ')
  port = Number(/ingress_http on 127\.0\.0\.1:(\d+)/.exec(edgeway.stdout())![1])
  base = `http://127.0.0.1:${port}`
}, 45_000)

afterAll(async () => {
  if (edgeway && edgeway.child.exitCode === null && edgeway.child.signalCode === null) edgeway.kill('SIGKILL')
  await upstream?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

describe('edgeway on Deno', () => {
  test('a proxied GET carries server and x-envoy-upstream-service-time', async () => {
    const response = await fetch(`${base}/service/1/get?x=1`, { headers: { 'x-request-id': 'deno-get-1' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('server')).toBe('edgeway')
    expect(response.headers.get('x-envoy-upstream-service-time')).toMatch(/^\d+$/)
    expect(response.headers.get('x-upstream')).toBe('echo')
    const body = (await response.json()) as { method: string; path: string; headers: Record<string, string> }
    expect(body.method).toBe('GET')
    expect(body.path).toBe('/service/1/get?x=1')
    expect(body.headers['x-request-id']).toBe('deno-get-1')
    // The client's Host must arrive as sent, not the endpoint's address.
    expect(body.headers.host).toBe(`127.0.0.1:${port}`)
    expect(statusAndFlags(await waitForLine(edgeway.stdout, 'GET', '/service/1/get?x=1', 10_000))).toEqual([200, '-'])
  })

  test('a proxied POST delivers its body', async () => {
    const response = await fetch(`${base}/service/1/post`, { method: 'POST', body: 'posted through deno', headers: { 'content-type': 'text/plain' } })
    expect(response.status).toBe(200)
    expect(response.headers.get('server')).toBe('edgeway')
    expect(response.headers.get('x-envoy-upstream-service-time')).toMatch(/^\d+$/)
    const body = (await response.json()) as { method: string; body: string }
    expect(body).toMatchObject({ method: 'POST', body: 'posted through deno' })
  })

  test('a gzip upstream body passes byte for byte with its content-encoding, as on Bun', async () => {
    const response = await fetch(`${base}/service/1/gzip`, { headers: { 'accept-encoding': 'gzip' }, decompress: false } as RequestInit)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-encoding')).toBe('gzip')
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array(GZIPPED))
  })

  test('no route: 404 NR', async () => {
    const response = await fetch(`${base}/nowhere`)
    expect(response.status).toBe(404)
    expect(await response.text()).toBe('')
    expect(statusAndFlags(await waitForLine(edgeway.stdout, 'GET', '/nowhere', 10_000))).toEqual([404, 'NR'])
  })

  test('nothing listening on the endpoint: 503 UF connection failure', async () => {
    const response = await fetch(`${base}/dead/x`)
    expect(response.status).toBe(503)
    expect(await response.text()).toBe('upstream connect error or disconnect/reset before headers. reset reason: connection failure')
    expect(statusAndFlags(await waitForLine(edgeway.stdout, 'GET', '/dead/x', 10_000))).toEqual([503, 'UF'])
  })

  test('SIGTERM exits 0', async () => {
    edgeway.kill('SIGTERM')
    let timer: ReturnType<typeof setTimeout> | undefined
    const code = await Promise.race([
      edgeway.exited,
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve('still running after 15 s'), 15_000))),
    ])
    clearTimeout(timer)
    expect(code).toBe(0)
    expect(edgeway.stdout()).toContain('SIGTERM received')
    // Deno prints a one-time notice about request.signal's legacy abort; no error, no stack.
    expect(edgeway.stderr()).not.toMatch(/error:|    at /i)
  }, 20_000)
})
