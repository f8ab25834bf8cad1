// The generated peer configs are accepted by the tools that will read them.
import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DEFAULTS } from '../../src/config/defaults.ts'
import { parseConfig } from '../../src/config/load-config.ts'
import { toolPath } from '../tools.ts'
import { edgewayConfig, EXPORT_DELAY_MS, LISTENER_NAME, type ExportQueue } from './edgeway.ts'
import { haproxyConfig } from './haproxy.ts'
import { nginxConfig } from './nginx.ts'

function withDir(use: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'bench-config-'))
  try {
    use(dir)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('peer configs', () => {
  test('nginx -t accepts the nginx config', () => {
    withDir((dir) => {
      mkdirSync(join(dir, 'temp'))
      writeFileSync(join(dir, 'nginx.conf'), nginxConfig(dir, 18080, 18081))
      const check = spawnSync(toolPath('nginx') ?? 'nginx', ['-t', '-p', dir, '-c', join(dir, 'nginx.conf'), '-e', join(dir, 'error.log')], { encoding: 'utf8' })
      expect(check.stderr).toContain('syntax is ok')
      expect(check.status).toBe(0)
    })
  })

  test('haproxy -c accepts the haproxy config', () => {
    withDir((dir) => {
      writeFileSync(join(dir, 'haproxy.cfg'), haproxyConfig(18080, 18081))
      const check = spawnSync(toolPath('haproxy') ?? 'haproxy', ['-c', '-f', join(dir, 'haproxy.cfg')], { encoding: 'utf8' })
      expect(`${check.stdout}${check.stderr}`).toContain('Configuration file is valid')
      expect(check.status).toBe(0)
    })
  })

  test('edgeway config: untraced has no tracing block, traced exports to the collector', () => {
    const env = () => undefined
    const plain = parseConfig(edgewayConfig('bench', { listenerPort: 18080, adminPort: 18082, upstreamPort: 18081 }), 'bench', { env })
    expect(plain.tracing).toBeUndefined()
    expect(plain.listeners[0]?.name).toBe(LISTENER_NAME)
    expect(plain.listeners[0]?.address).toBe('127.0.0.1')
    const traced = parseConfig(edgewayConfig('bench', { listenerPort: 18080, adminPort: 18082, upstreamPort: 18081, collectorPort: 18083 }), 'bench', { env })
    expect(traced.tracing?.zipkin.url).toBe('http://127.0.0.1:18083/api/v2/spans')
    expect(traced.listeners[0]?.tracing.randomSampling).toBe(100)
  })

  test('edgeway config: the traced rows raise only the export queue; the soak ships every export setting', () => {
    const env = () => undefined
    const zipkinOf = (exportQueue?: ExportQueue) => parseConfig(edgewayConfig('bench', { listenerPort: 18080, adminPort: 18082, upstreamPort: 18081, collectorPort: 18083, exportQueue }), 'bench', { env }).tracing?.zipkin
    const shipped = { maxQueueSize: DEFAULTS.zipkin.maxQueueSize, maxExportBatchSize: DEFAULTS.zipkin.maxExportBatchSize, scheduledDelayMs: DEFAULTS.zipkin.scheduledDelayMs }
    expect(zipkinOf()).toMatchObject({ ...shipped, maxQueueSize: 200000 })
    expect(zipkinOf('large')).toMatchObject({ ...shipped, maxQueueSize: 200000 })
    expect(zipkinOf('default')).toMatchObject(shipped)
    expect(zipkinOf('batch2048')).toMatchObject({ maxQueueSize: 200000, maxExportBatchSize: 2048, scheduledDelayMs: 500 })
    expect(EXPORT_DELAY_MS).toBe(DEFAULTS.zipkin.scheduledDelayMs)
  })
})
