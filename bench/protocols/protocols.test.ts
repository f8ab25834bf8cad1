// The protocol rows' setup: nginx accepts its TLS + HTTP/2 config, edgeway loads its TLS and
// WebSocket configs, and the h2load and ws-client outputs parse (h2load's is a real 1.52 run).
import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseConfig } from '../../src/config/load-config.ts'
import { parseOptions } from '../options.ts'
import { toolPath } from '../tools.ts'
import { parseH2load } from './h2load.ts'
import { demoCertificate, edgewayTlsConfig, nginxTlsConfig } from './tls-peers.ts'
import { parseWsClient, wsEdgewayConfig } from './websocket-rows.ts'

const REPO = resolve(import.meta.dirname, '../..')

const H2LOAD_OUTPUT = `starting benchmark...
spawning thread #0: 2 total client(s). Timing-based test with 0s of warm-up time and 1s of main duration for measurements.
Warm-up phase is over for thread #0.
Main benchmark duration is started for thread #0.
TLS Protocol: TLSv1.3
Cipher: TLS_AES_256_GCM_SHA384
Server Temp Key: X25519 253 bits
Application protocol: h2
Main benchmark duration is over for thread #0. Stopping all clients.
Stopped all clients for thread #0

finished in 1.00s, 15978.00 req/s, 2.59MB/s
requests: 15978 total, 15982 started, 15978 done, 15970 succeeded, 8 failed, 0 errored, 0 timeout
status codes: 15970 2xx, 0 3xx, 0 4xx, 8 5xx
traffic: 2.59MB (2716412) total, 46.92KB (48050) headers (space savings 95.76%), 2.13MB (2236920) data
                     min         max         mean         sd        +/- sd
time for request:       20us     53.51ms       240us      1.27ms    97.94%
time for connect:     3.48ms      6.68ms      5.08ms      2.26ms   100.00%
`

describe('protocol rows', () => {
  test('nginx -t accepts the TLS + HTTP/2 config on the demo certificate', () => {
    const dir = mkdtempSync(join(tmpdir(), 'bench-tls-'))
    try {
      mkdirSync(join(dir, 'temp'))
      const { cert, key } = demoCertificate(REPO)
      const conf = nginxTlsConfig(dir, 18443, 18081, cert, key)
      expect(conf).toContain('listen 127.0.0.1:18443 ssl http2;')
      writeFileSync(join(dir, 'nginx.conf'), conf)
      const check = spawnSync(toolPath('nginx') ?? 'nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { encoding: 'utf8' })
      expect(check.stderr).toContain('syntax is ok')
      expect(check.status).toBe(0)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('edgeway loads the TLS listener and the WebSocket listener configs', () => {
    const { cert, key } = demoCertificate(REPO)
    const tls = parseConfig(edgewayTlsConfig({ listenerPort: 18443, adminPort: 18082, upstreamPort: 18081 }, cert, key), 'bench', { env: () => undefined })
    expect(tls.listeners[0]?.tls?.alpnProtocols).toEqual(['h2', 'http/1.1'])
    const ws = parseConfig(wsEdgewayConfig({ listenerPort: 18090, adminPort: 18091, echoPort: 18092 }), 'bench', { env: () => undefined })
    expect(ws.listeners[0]?.websocket).toBe(true)
    expect(ws.clusters[0]?.endpoints).toEqual([{ address: '127.0.0.1', port: 18092 }])
  })

  test("h2load's output: req/s, succeeded, failures (failed requests and non-2xx), mean time, protocol", () => {
    expect(parseH2load(H2LOAD_OUTPUT)).toEqual({ requestsPerS: 15978, succeeded: 15970, failures: 16, meanMs: 0.24, protocol: 'h2' })
    expect(() => parseH2load('h2load: connection refused')).toThrow('unexpected h2load output')
  })

  test("ws-client's line: messages per second and errors", () => {
    expect(parseWsClient('{"messages":3000,"seconds":2,"errors":1}\n')).toEqual({ messages: 3000, messagesPerS: 1500, errors: 1 })
    expect(() => parseWsClient('{"messages":1,"seconds":0,"errors":0}')).toThrow('unexpected ws-client output')
  })

  test('--protocols sets the run length, 0 leaves the rows out', () => {
    expect(parseOptions([]).protocolS).toBe(5)
    expect(parseOptions(['--quick']).protocolS).toBe(2)
    expect(parseOptions(['--protocols', '0']).protocolS).toBe(0)
    expect(parseOptions(['--protocols', '7']).protocolS).toBe(7)
  })
})
