// Bun's own header limit: bin/edgeway passes `--max-http-header-size` for the default
// max_request_headers_kb, so a config within it never loads node:http (its setter is the only
// other way to move the limit). A config above the flag still raises it; either way a head over
// the listener's limit gets edgeway's 431 (body and access-log line), not Bun's bare one.
// The byte-level listener (EDGEWAY_LISTENER=bytes) does not read Bun's limit at all: its parser
// applies the listener's, so the same heads get the same 431 from it, and one under it passes.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { commandLineHeaderLimit, HEADER_LIMIT_FLAG } from '../../src/adapter/bun-header-limit.ts'
import { DEFAULTS } from '../../src/config/defaults.ts'
import { spawnEdgeway, startedPorts, type EdgewayProcess } from '../support/edgeway.ts'
import { servedByByteListener } from '../support/byte-listener-probe.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

test('the limit on bun’s command line, in either form, or Bun’s 16 KiB', () => {
  expect(commandLineHeaderLimit(['--max-http-header-size=122880', 'src/main.ts'])).toBe(122880)
  expect(commandLineHeaderLimit(['--smol', '--max-http-header-size', '65536'])).toBe(65536)
  expect(commandLineHeaderLimit(['src/main.ts', '-c', 'edgeway.yaml'])).toBe(16384)
  expect(commandLineHeaderLimit(['--max-http-header-size='])).toBe(16384)
})

test('the flag is twice the default limit, and every launcher that cannot import it carries the same text', () => {
  expect(commandLineHeaderLimit([HEADER_LIMIT_FLAG])).toBe(2 * DEFAULTS.maxRequestHeadersKb * 1024)
  const root = join(import.meta.dir, '../..')
  const launchers = ['bin/edgeway', 'package.json', 'compose/Dockerfile', 'compose/service/start.sh', 'compose/kubernetes/front-proxy.yaml', 'compose/kubernetes/service1.yaml', 'compose/kubernetes/service2.yaml']
  for (const file of launchers) {
    // Every line that starts bun on src/main.ts (or bin/edgeway's "$entry", the bundle or the
    // sources) to serve (not `--mode validate`, which serves nothing).
    const lines = readFileSync(join(root, file), 'utf8').split('\n')
    const serving = lines.filter((line) => /\bbun\b/.test(line) && /src\/main\.ts|"\$entry"/.test(line) && !line.includes('--mode validate'))
    // The rest start edgeway through bin/edgeway, whose own line is checked here too.
    const launched = lines.filter((line) => /^\s*(bin\/edgeway|.*"bin\/edgeway")/.test(line))
    expect({ file, launches: serving.length + launched.length > 0 }).toEqual({ file, launches: true })
    for (const line of serving) expect({ file, line, flag: line.includes(HEADER_LIMIT_FLAG) }).toEqual({ file, line, flag: true })
  }
})

const onBun = process.env.EDGEWAY_TEST_RUNTIME !== 'deno'
const dir = mkdtempSync(join(tmpdir(), 'edgeway-header-limit-'))
let upstream: Upstream
const running: EdgewayProcess[] = []

beforeAll(async () => {
  upstream = await startUpstream({ name: 'echo' })
})
afterAll(async () => {
  for (const edgeway of running) edgeway.kill('SIGKILL')
  await upstream.stop()
  rmSync(dir, { recursive: true, force: true })
})

async function proxyWithHeaderLimit(name: string, headersKb?: number, env: Record<string, string> = {}): Promise<number> {
  const config = join(dir, `${name}.yaml`)
  writeFileSync(
    config,
    `listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
${headersKb === undefined ? '' : `    max_request_headers_kb: ${headersKb}\n`}    virtual_hosts:
      - name: any
        domains: ["*"]
        routes:
          - match: { prefix: / }
            route: { cluster: service1 }
clusters:
  - name: service1
    load_assignment:
      endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }]
`,
  )
  const edgeway = spawnEdgeway(['-c', config, '--concurrency', '1'], env)
  running.push(edgeway)
  return (await startedPorts(edgeway)).get('ingress_http')!
}

async function bigHeadStatusAndBody(port: number, headerBytes: number): Promise<[number, string]> {
  const response = await fetch(`http://127.0.0.1:${port}/big`, { headers: { 'x-big': 'a'.repeat(headerBytes) } })
  return [response.status, await response.text()]
}

describe.skipIf(!onBun)('Bun’s header limit under bin/edgeway’s flag', () => {
  test('the default limit (60 KiB): a 100 KiB head gets edgeway’s 431, the flag covering it', async () => {
    const port = await proxyWithHeaderLimit('default')
    expect(await bigHeadStatusAndBody(port, 100 * 1024)).toEqual([431, 'Request Header Fields Too Large'])
  })

  test('a limit above the flag (96 KiB): a 150 KiB head still gets edgeway’s 431, node:http raising Bun’s', async () => {
    const port = await proxyWithHeaderLimit('above', 96)
    expect(await bigHeadStatusAndBody(port, 150 * 1024)).toEqual([431, 'Request Header Fields Too Large'])
  })
})

describe.skipIf(!onBun)('the byte listener applies the listener\'s limit itself', () => {
  const BYTES = { EDGEWAY_LISTENER: 'bytes' }
  // Past 16 KiB the echo upstream (a Bun.serve at its default) answers its own bare 431: a head
  // edgeway let through is told from edgeway's refusal by the body.
  const EDGEWAY_431: [number, string] = [431, 'Request Header Fields Too Large']

  test('the default limit (60 KiB): 8 KiB and 50 KiB pass, a 100 KiB head gets edgeway\'s 431', async () => {
    const port = await proxyWithHeaderLimit('bytes-default', undefined, BYTES)
    expect(await servedByByteListener(port)).toBe(true)
    expect((await bigHeadStatusAndBody(port, 8 * 1024))[0]).toBe(200)
    expect(await bigHeadStatusAndBody(port, 50 * 1024)).not.toEqual(EDGEWAY_431)
    expect(await bigHeadStatusAndBody(port, 100 * 1024)).toEqual(EDGEWAY_431)
  })

  test('a limit above the flag (96 KiB): 70 KiB passes, a 150 KiB head gets edgeway\'s 431', async () => {
    const port = await proxyWithHeaderLimit('bytes-above', 96, BYTES)
    expect(await servedByByteListener(port)).toBe(true)
    expect(await bigHeadStatusAndBody(port, 70 * 1024)).not.toEqual(EDGEWAY_431)
    expect(await bigHeadStatusAndBody(port, 150 * 1024)).toEqual(EDGEWAY_431)
  })
})
