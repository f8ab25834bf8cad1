// Readiness probes over node:http (no proxy variables, no Bun-only API): a URL answers 2xx or not.

import { request } from 'node:http'

export function probe(url: string, timeoutMs = 500): Promise<boolean> {
  return new Promise((done) => {
    const req = request(url, { method: 'GET', timeout: timeoutMs, agent: false }, (res) => {
      res.resume()
      done((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300)
    })
    req.once('timeout', () => req.destroy())
    req.once('error', () => done(false))
    req.end()
  })
}

/** Polls until every URL answers 2xx, `cancelled()` turns true, or the deadline passes. */
export async function waitReady(urls: readonly string[], options: { timeoutMs: number; intervalMs?: number; cancelled?: () => boolean }): Promise<boolean> {
  const deadline = Date.now() + options.timeoutMs
  while (Date.now() < deadline) {
    if (options.cancelled?.()) return false
    const answers = await Promise.all(urls.map((url) => probe(url)))
    if (answers.every(Boolean)) return true
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 100))
  }
  return false
}
