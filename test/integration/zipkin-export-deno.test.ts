// The tracing layer exports from Deno too: a Deno process sends one span to a collector run here.

import { afterEach, expect, test } from 'bun:test'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { validateAgainst, definition } from '../support/zipkin-spec.ts'
import { startZipkinSink, type ZipkinSink } from '../support/zipkin-sink.ts'

const DENO = `${process.cwd()}/node_modules/.bin/deno`
let collector: ZipkinSink | undefined

afterEach(async () => {
  await collector?.close()
  collector = undefined
})

function run(cmd: string, args: string[], timeoutMs: number): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c: Buffer) => (stdout += c))
    child.stderr.on('data', (c: Buffer) => (stderr += c))
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    child.on('close', (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })
}

test(
  'a span started and exported under Deno reaches the collector as valid Zipkin v2',
  async () => {
    expect(existsSync(DENO)).toBe(true) // a missing runtime fails loudly, never skips
    collector = await startZipkinSink()
    const result = await run(DENO, ['run', '-A', 'test/support/deno-export-span.ts', collector.url], 60_000)
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: '' })
    expect(JSON.parse(result.stdout)).toEqual({ spans_sent: 1, reports_failed: 0 })
    expect(collector.reports).toHaveLength(1)
    expect(collector.reports[0]!.headers['user-agent']).toStartWith('Deno/')
    expect(validateAgainst(definition('ListOfSpans'), collector.reports[0]!.body)).toEqual([])
    expect(collector.spans()).toMatchObject([
      {
        traceId: '463ac35c9f6413ad',
        parentId: 'a2fb4a1d1a96d312',
        kind: 'SERVER',
        name: 'from-deno',
        localEndpoint: { serviceName: 'deno-proxy' },
        tags: { node_id: 'deno-1', 'http.status_code': '200', upstream_cluster: 'local_service' },
      },
    ])
  },
  { timeout: 90_000 },
)
