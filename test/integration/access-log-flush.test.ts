// The access log's buffer as users run edgeway (real processes): lines appear within the flush
// interval, a burst is written as soon as 64 KiB are buffered, every line of a load is there after
// SIGTERM even when the reader of stdout fell behind, and two workers' lines stay whole, on stdout
// (a shared pipe) and in a file (O_APPEND).

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { waitForLine } from '../support/access-log-lines.ts'
import { eventually, ProcessGroup, stop, type ProxyProcess } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

const group = new ProcessGroup()
let upstream: Upstream

beforeAll(async () => {
  upstream = await startUpstream({ handler: () => new Response('ok\n') })
})
afterAll(async () => {
  await group.stopAll()
  await upstream.stop()
})

const yaml = (extra = '') => `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress_http
    address: 127.0.0.1
    port: 0
    access_log: { format: text }
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: app } }]
${extra}
clusters:
  - { name: app, load_assignment: { endpoints: [{ address: 127.0.0.1, port: ${upstream.port} }] } }
`

/** A whole default-format line for `GET <path>` (nothing torn off, nothing glued on). */
const WHOLE = /^\[\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\] "GET (\/[a-z0-9/-]+) HTTP\/1\.1" \d{3} \S+ 0 \d+ \d+ (?:\d+|-) "-" "[^"]*" "[0-9a-f-]{36}" "127\.0\.0\.1:\d+" "(?:127\.0\.0\.1:\d+|-)"$/

/** The access-log lines of `output` (everything else is the proxy's own notices), each checked whole. */
function accessLines(output: string): string[] {
  const lines = output.split('\n').filter((line) => line.includes('"GET /'))
  for (const line of lines) expect(line).toMatch(WHOLE)
  return lines
}
const pathOf = (line: string) => WHOLE.exec(line)![1]!

/** `clients` keep-alive loops of GET `<prefix>/<client>/<n>` for at most `ms`; the paths that got a 200, per client in order. */
async function load(url: string, prefix: string, clients: number, ms: number, until?: () => boolean): Promise<string[][]> {
  const stopAt = Date.now() + ms
  return Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      const got: string[] = []
      for (let n = 0; Date.now() < stopAt && !(until?.() ?? false); n++) {
        const path = `${prefix}/${client}/${n}`
        try {
          const response = await fetch(url + path, { signal: AbortSignal.timeout(5000) })
          await response.arrayBuffer()
          if (response.status !== 200) break
          got.push(path)
        } catch {
          break // the proxy is draining or gone
        }
      }
      return got
    }),
  )
}

describe('access-log buffer', () => {
  test('a line appears within the shipped interval while the proxy keeps running', async () => {
    const proxy = await group.proxy('interval', yaml())
    const response = await fetch(`${proxy.url('ingress_http')}/interval/1`)
    expect(response.status).toBe(200)
    await response.arrayBuffer()
    const line = await waitForLine(() => proxy.process.stdout(), 'GET', '/interval/1')
    expect(line).toMatch(WHOLE)
    await stop(proxy.process)
  }, 30_000)

  test('a burst is written when 64 KiB are buffered, the rest at exit (the interval is an hour)', async () => {
    // A file, read by the test itself: what reached it is what the proxy wrote, with no reader between.
    const file = join(group.dir, 'burst-access.log')
    const fileLog = yaml().replace('access_log: { format: text }', `access_log: { format: text, path: ${file} }`)
    // One process: each worker has a buffer of its own.
    const proxy = await group.proxy('burst', fileLog, {}, { args: ['--concurrency', '1', '--file-flush-interval-msec', '3600000'] })
    const url = proxy.url('ingress_http')
    const written = () => (existsSync(file) ? readFileSync(file, 'utf8') : '')
    // ~150-byte lines: 800 of them are more than 64 KiB and less than two buffers.
    let sent = 0
    await Promise.all(
      Array.from({ length: 8 }, async (_, client) => {
        for (let n = 0; n < 100; n++) {
          const response = await fetch(`${url}/burst/${client}/${n}`)
          await response.arrayBuffer()
          expect(response.status).toBe(200)
          sent++
        }
      }),
    )
    // The 64 KiB flush is synchronous with the line that filled the buffer: it is in the file already.
    const flushed = accessLines(written())
    const bytes = flushed.reduce((n, line) => n + line.length + 1, 0)
    expect(bytes).toBeGreaterThanOrEqual(64 * 1024)
    expect(flushed.length).toBeLessThan(sent)
    expect(await stop(proxy.process)).toBe(0)
    const all = accessLines(written())
    expect(all).toHaveLength(sent)
    expect(new Set(all.map(pathOf)).size).toBe(sent)
  }, 30_000)

  test('SIGTERM under load with a reader of stdout that fell behind: every answered request has its line, once', async () => {
    const proxy = await group.proxy('sigterm', yaml(), {}, { args: ['--concurrency', '1'] })
    const url = proxy.url('ingress_http')
    // The test stops reading the proxy's stdout: the pipe fills and the proxy's writes get EAGAIN.
    proxy.process.child.stdout!.pause()
    let terminated = false
    const before = upstream.received.length
    const answered = load(url, '/term', 8, 10_000, () => terminated)
    await eventually('load under way', async () => (upstream.received.length - before > 2000 ? true : undefined), 10_000, 20)
    proxy.process.kill('SIGTERM')
    terminated = true
    const perClient = await answered
    // The reader comes back only once the proxy is exiting: a writer that left lines queued loses them.
    await new Promise((resolve) => setTimeout(resolve, 300))
    proxy.process.child.stdout!.resume()
    expect(await proxy.process.exited).toBe(0)
    const lines = accessLines(proxy.process.stdout()).map(pathOf)
    const expected = perClient.flat()
    // Far more than the pipe holds (64 KiB, ~430 lines).
    expect(expected.length).toBeGreaterThan(2000)
    expect(new Set(lines).size).toBe(lines.length)
    // Deno's stdout blocks instead (the proxy waits for the reader): a client may give up on a request
    // meanwhile, whose line (499) is there too.
    const logged = new Set(lines)
    expect(expected.filter((path) => !logged.has(path))).toEqual([])
  }, 30_000)

  test('two workers: lines stay whole on the shared stdout pipe and in an appended file', async () => {
    const file = join(group.dir, 'workers-access.log')
    const twoListeners = `
  - name: to_file
    address: 127.0.0.1
    port: 0
    access_log: { format: text, path: ${file} }
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes: [{ match: { prefix: / }, route: { cluster: app } }]`
    // Small buffers: many writes from each worker, so torn lines would show.
    const proxy: ProxyProcess = await group.proxy('workers', yaml(twoListeners), {}, { args: ['--concurrency', '2', '--file-flush-min-size-kb', '1', '--file-flush-interval-msec', '5'] })
    await eventually('both workers live', async () => {
      const response = await fetch(`${proxy.url('admin')}/ready`)
      await response.arrayBuffer()
      return response.status === 200 ? true : undefined
    })
    // A fresh connection per request, so the kernel spreads them over both workers' sockets.
    const fresh = async (base: string, prefix: string) => {
      const got: string[] = []
      await Promise.all(
        Array.from({ length: 8 }, async (_, client) => {
          for (let n = 0; n < 150; n++) {
            const response = await fetch(`${base}${prefix}/${client}/${n}`, { headers: { connection: 'close' }, keepalive: false })
            await response.arrayBuffer()
            expect(response.status).toBe(200)
            got.push(`${prefix}/${client}/${n}`)
          }
        }),
      )
      return got
    }
    const [toStdout, toFile] = await Promise.all([fresh(proxy.url('ingress_http'), '/stdout'), fresh(proxy.url('to_file'), '/file')])
    const workers = (await (await fetch(`${proxy.url('admin')}/workers`)).json()) as { workers: { downstream_rq_total?: number }[] }
    expect(workers.workers.filter((w) => (w.downstream_rq_total ?? 0) > 0)).toHaveLength(2)
    expect(await stop(proxy.process, 10_000)).toBe(0)
    expect(accessLines(proxy.process.stdout()).map(pathOf).sort()).toEqual(toStdout.sort())
    expect(accessLines(readFileSync(file, 'utf8')).map(pathOf).sort()).toEqual(toFile.sort())
  }, 30_000)
})
