// The real CLI as users run it (bun src/main.ts ...): validation, user mistakes as one clear
// message with exit 1 and no stack trace, a serving run with access logs, and SIGTERM.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnEdgeway, startedPorts, type EdgewayProcess } from '../support/edgeway.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'
import { statusAndFlags, waitForLine } from '../support/access-log-lines.ts'

const EXIT_TIMEOUT_MS = 15_000
const STACK_FRAME = '    at '

let dir: string
let upstream: Upstream
const running: EdgewayProcess[] = []

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'edgeway-cli-'))
  upstream = await startUpstream({ name: 'echo' })
})

afterAll(async () => {
  for (const edgeway of running) if (edgeway.child.exitCode === null && edgeway.child.signalCode === null) edgeway.kill('SIGKILL')
  await upstream?.stop()
  rmSync(dir, { recursive: true, force: true })
})

function configFile(name: string, yaml: string): string {
  const path = join(dir, name)
  writeFileSync(path, yaml)
  return path
}

function run(args: string[], env: Record<string, string> = {}): EdgewayProcess {
  const edgeway = spawnEdgeway(args, env)
  running.push(edgeway)
  return edgeway
}

/** Resolves with the exit code, failing the test if the process outlives `timeoutMs`. */
async function exitCode(edgeway: EdgewayProcess, timeoutMs = EXIT_TIMEOUT_MS): Promise<number | null> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`edgeway still running after ${timeoutMs} ms; stdout:\n${edgeway.stdout()}\nstderr:\n${edgeway.stderr()}`)), timeoutMs)
  })
  try {
    return await Promise.race([edgeway.exited, timeout])
  } finally {
    clearTimeout(timer)
  }
}

const servingYaml = (accessLog: string) => `
node: { cluster: cli-test }
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    ${accessLog}
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes:
          - match: { prefix: /service/1 }
            route: { cluster: service1 }
clusters:
  - name: service1
    load_assignment:
      endpoints:
        - { address: 127.0.0.1, port: ${upstream.port} }
`

describe('--mode validate', () => {
  test('the shipped front-proxy config prints OK and exits 0', async () => {
    const edgeway = run(['--mode', 'validate', '-c', 'routes/front-proxy.yaml'])
    expect(await exitCode(edgeway)).toBe(0)
    expect(edgeway.stdout()).toBe('OK\n')
    expect(edgeway.stderr()).toBe('')
  })

  test('schema problems: every one with its path, exit 1, no stack trace', async () => {
    const path = configFile(
      'schema-problems.yaml',
      `
listeners:
  - name: ingress_http
    port: 8000
    colour: blue
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes:
          - match: { prefix: /service/1 }
            route: { cluster: service1, timeout: fast }
clusters:
  - name: service1
    load_assignment:
      endpoints:
        - { address: 127.0.0.1, port: "80a" }
`,
    )
    const edgeway = run(['--mode', 'validate', '-c', path])
    expect(await exitCode(edgeway)).toBe(1)
    const stderr = edgeway.stderr()
    expect(stderr).toContain('clusters[0].load_assignment.endpoints[0].port: expected integer 1-65535, got "80a"')
    expect(stderr).toContain('listeners[0].colour: unknown key')
    expect(stderr).toContain('listeners[0].virtual_hosts[0].routes[0].route.timeout: expected a duration')
    expect(stderr).toContain('"fast"')
    expect(stderr).toContain(path)
    expect(stderr).not.toContain(STACK_FRAME)
    expect(edgeway.stdout()).not.toContain('OK')
  })

  test('a route naming an unknown cluster: the path and the known clusters, exit 1', async () => {
    const path = configFile(
      'unknown-cluster.yaml',
      `
listeners:
  - name: ingress_http
    port: 8000
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes:
          - match: { prefix: /service/1 }
            route: { cluster: service9 }
clusters:
  - name: service1
    load_assignment:
      endpoints:
        - { address: 127.0.0.1, port: 80 }
`,
    )
    const edgeway = run(['--mode', 'validate', '-c', path])
    expect(await exitCode(edgeway)).toBe(1)
    expect(edgeway.stderr()).toContain('listeners[0].virtual_hosts[0].routes[0].route.cluster: unknown cluster "service9"')
    expect(edgeway.stderr()).toContain('"service1"')
    expect(edgeway.stderr()).not.toContain(STACK_FRAME)
  })

  test('a serve run with a malformed config also exits 1 before listening', async () => {
    const path = configFile('bad-duration.yaml', servingYaml('idle_timeout: soon'))
    const edgeway = run(['-c', path])
    expect(await exitCode(edgeway)).toBe(1)
    expect(edgeway.stderr()).toContain('listeners[0].idle_timeout: expected a duration')
    expect(edgeway.stderr()).not.toContain(STACK_FRAME)
    expect(edgeway.stdout()).not.toContain(' on 127.0.0.1:')
  })
})

describe('user mistakes', () => {
  test('an unknown argument: one line naming it, then the usage, exit 1', async () => {
    const edgeway = run(['--bogus'])
    expect(await exitCode(edgeway)).toBe(1)
    const lines = edgeway.stderr().trimEnd().split('\n')
    expect(lines[0]).toBe('edgeway: unknown argument "--bogus"')
    expect(lines[1]).toStartWith('usage: edgeway -c <config.yaml>')
    expect(edgeway.stderr()).not.toContain(STACK_FRAME)
  })

  test('a missing config file: one line, exit 1', async () => {
    const missing = join(dir, 'does-not-exist.yaml')
    const edgeway = run(['-c', missing])
    expect(await exitCode(edgeway)).toBe(1)
    expect(edgeway.stderr()).toBe(`edgeway: cannot read config file "${missing}": no such file\n`)
  })

  test('a listener port already in use: names the port and the listener, exit 1', async () => {
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as net.AddressInfo).port
    try {
      // IP literals for the DNS clusters: startup then waits for no resolver.
      const edgeway = run(['-c', 'routes/front-proxy.yaml'], {
        LISTEN_ADDRESS: '127.0.0.1',
        LISTEN_PORT: String(port),
        ADMIN_PORT: '0',
        SERVICE1_HOST: '127.0.0.1',
        SERVICE2_HOST: '127.0.0.1',
      })
      expect(await exitCode(edgeway)).toBe(1)
      const stderr = edgeway.stderr()
      expect(stderr).toContain(`127.0.0.1:${port}`)
      expect(stderr).toContain('"ingress_http"')
      expect(stderr).toContain('address already in use')
      expect(stderr.trimEnd().split('\n')).toHaveLength(1)
      expect(stderr).not.toContain(STACK_FRAME)
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()))
    }
  })
})

describe('serving', () => {
  test('text access log on stdout, admin on its own port, SIGTERM exits 0', async () => {
    const edgeway = run(['-c', configFile('serve-text.yaml', servingYaml(''))])
    const ports = await startedPorts(edgeway)
    expect([...ports.keys()].sort()).toEqual(['admin', 'ingress_http'])
    const base = `http://127.0.0.1:${ports.get('ingress_http')}`

    const ok = await fetch(`${base}/service/1/text?q=1`, { headers: { 'user-agent': 'cli-test' } })
    expect(ok.status).toBe(200)
    const echoed = (await ok.json()) as { headers: Record<string, string> }
    const missing = await fetch(`${base}/elsewhere`)
    expect(missing.status).toBe(404)
    await missing.arrayBuffer()

    const line = await waitForLine(edgeway.stdout, 'GET', '/service/1/text?q=1')
    expect(statusAndFlags(line)).toEqual([200, '-'])
    expect(line).toContain('"cli-test"')
    expect(line).toContain(`"${echoed.headers['x-request-id']}"`)
    expect(line).toEndWith(`"127.0.0.1:${upstream.port}"`)
    expect(statusAndFlags(await waitForLine(edgeway.stdout, 'GET', '/elsewhere'))).toEqual([404, 'NR'])

    const ready = await fetch(`http://127.0.0.1:${ports.get('admin')}/ready`)
    expect(ready.status).toBe(200)
    expect(await ready.text()).toBe('LIVE\n')

    const started = performance.now()
    edgeway.kill('SIGTERM')
    expect(await exitCode(edgeway, 10_000)).toBe(0)
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(edgeway.stdout()).toContain('SIGTERM')
    expect(edgeway.stderr()).not.toContain(STACK_FRAME)
  })

  test('JSON access log: one object per request with code, flags, request id and upstream host', async () => {
    const edgeway = run(['-c', configFile('serve-json.yaml', servingYaml('access_log: { format: json }'))])
    const ports = await startedPorts(edgeway)
    const base = `http://127.0.0.1:${ports.get('ingress_http')}`

    const ok = await fetch(`${base}/service/1/json`, { headers: { 'x-request-id': 'cli-json-request-1' } })
    expect(ok.status).toBe(200)
    await ok.arrayBuffer()
    const missing = await fetch(`${base}/elsewhere-json`)
    expect(missing.status).toBe(404)
    await missing.arrayBuffer()

    await edgeway.waitFor('"/elsewhere-json"')
    await edgeway.waitFor('"/service/1/json"')
    const entries = edgeway
      .stdout()
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    const proxied = entries.find((e) => e.path === '/service/1/json')!
    expect(proxied).toMatchObject({
      method: 'GET',
      response_code: 200,
      response_flags: '-',
      request_id: 'cli-json-request-1',
      upstream_host: `127.0.0.1:${upstream.port}`,
      upstream_cluster: 'service1',
    })
    expect(upstream.received.find((r) => r.path === '/service/1/json')?.headers['x-request-id']).toBe('cli-json-request-1')
    const local = entries.find((e) => e.path === '/elsewhere-json')!
    expect(local).toMatchObject({ response_code: 404, response_flags: 'NR', upstream_host: null })
    expect(typeof local.request_id).toBe('string')

    edgeway.kill('SIGTERM')
    expect(await exitCode(edgeway, 10_000)).toBe(0)
  })
})
