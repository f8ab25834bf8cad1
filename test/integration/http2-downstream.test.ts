// HTTP/2 from clients, driven by Debian's curl and h2load: codec_type AUTO serves prior-knowledge
// h2c and HTTP/1.1 on one plain port, HTTP1 refuses h2c, HTTP2 refuses HTTP/1.1; on Bun in-process
// and on Deno as a child process (where AUTO is all its server does).

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { curl } from '../support/curl.ts'
import { frontProxyYaml, startProxy } from '../support/edgeway.ts'
import { ProcessGroup } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let upstream: Upstream
const group = new ProcessGroup()

beforeAll(async () => {
  upstream = await startUpstream({ name: 'service1' })
})

afterAll(async () => {
  await group.stopAll()
  await upstream.stop()
})

const yaml = (codec: string) => frontProxyYaml([{ address: '127.0.0.1', port: upstream.port }], { listener: `codec_type: ${codec}` })

/** h2load's summary: requests done and succeeded, and 2xx count. */
function h2load(url: string, args: string[]): Promise<{ done: number; succeeded: number; status2xx: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('h2load', [...args, url], { stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (b) => (output += b))
    child.stderr.on('data', (b) => (output += b))
    child.on('error', (error) => reject((error as { code?: string }).code === 'ENOENT' ? new Error('h2load is not installed (apt-get install nghttp2-client)') : error))
    child.on('close', () => {
      const requests = /requests: (\d+) total, \d+ started, (\d+) done, (\d+) succeeded/.exec(output)
      const codes = /status codes: (\d+) 2xx/.exec(output)
      resolve({ done: Number(requests?.[2] ?? 0), succeeded: Number(requests?.[3] ?? 0), status2xx: Number(codes?.[1] ?? 0), output })
    })
  })
}

describe('HTTP/2 downstream on Bun', () => {
  test('AUTO: prior-knowledge h2c and HTTP/1.1 on the same port reach the same route', async () => {
    const proxy = await startProxy(yaml('AUTO'))
    try {
      const h2 = await curl(['--http2-prior-knowledge', `${proxy.url()}/service/1`])
      expect([h2.status, h2.httpVersion]).toEqual([200, '2'])
      expect(JSON.parse(h2.body).headers.host).toBe(new URL(proxy.url()).host)
      const h1 = await curl([`${proxy.url()}/service/1`])
      expect([h1.status, h1.httpVersion]).toEqual([200, '1.1'])
      const load = await h2load(`${proxy.url()}/service/1`, ['-n', '400', '-c', '4', '-m', '25'])
      expect(load.output).toContain('Application protocol: h2c')
      expect([load.done, load.succeeded, load.status2xx]).toEqual([400, 400, 400])
    } finally {
      await proxy.stop()
    }
  }, 30_000)

  test('a 1 MiB request body and a 1 MiB response cross HTTP/2 intact', async () => {
    const proxy = await startProxy(yaml('AUTO'))
    try {
      const body = 'x'.repeat(1 << 20)
      // The echo answers with the body inside its JSON: 1 MiB each way, with HTTP/2 flow control.
      const answer = await curl(['--http2-prior-knowledge', '-H', 'content-type: text/plain', '--data-binary', `@${writeTemp(body)}`, `${proxy.url()}/service/1`])
      expect(answer.httpVersion).toBe('2')
      expect(answer.status).toBe(200)
      expect(JSON.parse(answer.body).body).toBe(body)
    } finally {
      await proxy.stop()
    }
  }, 30_000)

  test('HTTP1 refuses a prior-knowledge h2c client; HTTP2 refuses an HTTP/1.1 client', async () => {
    const http1 = await startProxy(yaml('HTTP1'))
    const http2 = await startProxy(yaml('HTTP2'))
    try {
      expect((await curl(['--http2-prior-knowledge', `${http1.url()}/service/1`])).httpVersion).not.toBe('2')
      expect((await curl([`${http1.url()}/service/1`])).status).toBe(200)
      expect((await curl(['--http2-prior-knowledge', `${http2.url()}/service/1`])).status).toBe(200)
      expect((await curl([`${http2.url()}/service/1`])).status).toBe(505)
      // A listener that speaks only HTTP/2 knows every request's version: the access log says it.
      for (let i = 0; i < 50 && !http2.output().includes('"GET /service/1 HTTP/2"'); i++) await Bun.sleep(20)
      expect(http2.output()).toContain('"GET /service/1 HTTP/2" 200')
    } finally {
      await http1.stop()
      await http2.stop()
    }
  }, 30_000)
})

describe('HTTP/2 downstream on Deno', () => {
  test('AUTO: prior-knowledge h2c and HTTP/1.1 on one port; h2load streams all succeed', async () => {
    const deno = await group.proxy('deno-h2c', yaml('AUTO'), {}, { runtime: 'deno' })
    const url = `${deno.url('ingress_http')}/service/1`
    const h2 = await curl(['--http2-prior-knowledge', url])
    expect([h2.status, h2.httpVersion]).toEqual([200, '2'])
    // Deno does not turn :authority into Host; edgeway sends it upstream as Host all the same.
    expect(JSON.parse(h2.body).headers.host).toBe(new URL(url).host)
    expect((await curl([url])).httpVersion).toBe('1.1')
    const load = await h2load(url, ['-n', '400', '-c', '4', '-m', '25'])
    expect([load.done, load.succeeded, load.status2xx]).toEqual([400, 400, 400])
    // Deno's HTTP/2 requests are told apart (no Host): the access log says HTTP/2 for them.
    await deno.process.waitFor('"GET /service/1 HTTP/2" 200')
    await deno.process.waitFor('"GET /service/1 HTTP/1.1" 200')
  }, 30_000)

  test('codec_type HTTP1 or HTTP2 is refused at load on Deno', async () => {
    const path = `${group.dir}/deno-http1.yaml`
    await Bun.write(path, yaml('HTTP1'))
    const run = group.spawn(['--mode', 'validate', '-c', path], {}, 'deno')
    expect(await run.exited).toBe(1)
    expect(run.stderr()).toContain('listeners[0].codec_type: HTTP1 cannot be enforced on Deno')
  }, 30_000)
})

function writeTemp(text: string): string {
  const path = `${group.dir}/body-${Math.random().toString(36).slice(2)}.txt`
  writeFileSync(path, text)
  return path
}
