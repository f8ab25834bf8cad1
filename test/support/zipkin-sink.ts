// A stand-in Zipkin collector for tests: records every POST /api/v2/spans body and answers 202.
// `delayMs` makes it slow, `down` makes it drop connections without answering; both can change mid-test.

import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

export type SinkReport = { headers: IncomingHttpHeaders; body: unknown }

export type ZipkinSink = {
  /** Full collector URL, …/api/v2/spans. */
  readonly url: string
  readonly reports: SinkReport[]
  delayMs: number
  down: boolean
  /** Every span of every report, in arrival order. */
  spans(): Record<string, unknown>[]
  /** Resolves once `count` spans arrived; rejects after `timeoutMs`. */
  waitForSpans(count: number, timeoutMs?: number): Promise<Record<string, unknown>[]>
  close(): Promise<void>
}

export async function startZipkinSink(opts: { delayMs?: number; down?: boolean; address?: string } = {}): Promise<ZipkinSink> {
  const reports: SinkReport[] = []
  const timers = new Set<ReturnType<typeof setTimeout>>()
  const server = createServer((req, res) => {
    if (sink.down) {
      req.socket.destroy()
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const answer = () => {
        if (req.method !== 'POST' || req.url !== '/api/v2/spans') {
          res.writeHead(404).end()
          return
        }
        let body: unknown
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
        } catch {
          res.writeHead(400).end('bad json')
          return
        }
        reports.push({ headers: req.headers, body })
        res.writeHead(202).end()
      }
      if (sink.delayMs <= 0) return answer()
      const t = setTimeout(() => {
        timers.delete(t)
        answer()
      }, sink.delayMs)
      timers.add(t)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, opts.address ?? '127.0.0.1', resolve))
  const { address, port } = server.address() as AddressInfo

  const spans = () => reports.flatMap((r) => (Array.isArray(r.body) ? (r.body as Record<string, unknown>[]) : []))
  const sink: ZipkinSink = {
    url: `http://${address}:${port}/api/v2/spans`,
    reports,
    delayMs: opts.delayMs ?? 0,
    down: opts.down ?? false,
    spans,
    async waitForSpans(count, timeoutMs = 5000) {
      const deadline = performance.now() + timeoutMs
      while (spans().length < count) {
        if (performance.now() > deadline) throw new Error(`zipkin sink: ${spans().length} of ${count} spans after ${timeoutMs} ms`)
        await new Promise((r) => setTimeout(r, 10))
      }
      return spans()
    },
    close() {
      for (const t of timers) clearTimeout(t)
      timers.clear()
      server.closeAllConnections()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
  return sink
}
