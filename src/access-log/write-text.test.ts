import { expect, test } from 'bun:test'
import { formatText, writeText } from '../access-log.ts'
import type { RequestInfo } from '../proxy/request-info.ts'
import { LineBytes } from './line-bytes.ts'

const base = {
  startTimeMs: Date.UTC(2026, 11, 2, 20, 0, 0, 7),
  method: 'GET',
  path: '/service/1',
  protocol: 'HTTP/1.1',
  status: 200,
  flags: '',
  bytesReceived: 0,
  bytesSent: 90,
  durationMs: 3,
  upstreamServiceTimeMs: 2,
  forwardedFor: null,
  userAgent: null,
  requestId: 'd19576a6-2c6c-4c2e-9857-9d2cacc64ec9',
  authority: '127.0.0.1:8000',
  upstreamHost: '127.0.0.1:8080',
} as const

const variants: Partial<Record<keyof RequestInfo, unknown>>[] = [
  {},
  { flags: 'UF,URX', status: 503, upstreamServiceTimeMs: undefined, upstreamHost: undefined, requestId: undefined },
  { userAgent: 'curl/8.5.0', forwardedFor: '10.0.0.1, 10.0.0.2', authority: null },
  { userAgent: 'Mozilla/5.0 (ü) 日本 😀', path: '/caf\u00e9?q=\ud800', method: 'POST', protocol: 'HTTP/2' },
  { userAgent: '', forwardedFor: '', requestId: '' },
  { bytesReceived: 1_048_576, bytesSent: 4_294_967_296, durationMs: 12345, upstreamServiceTimeMs: 0 },
  { startTimeMs: 0 },
  { startTimeMs: 999 },
  { startTimeMs: Date.UTC(2026, 11, 31, 23, 59, 59, 999) },
  { startTimeMs: 1_700_000_000_050.7 },
  // Longer than the array: it grows in the middle of a line, keeping what the line wrote before.
  { userAgent: 'u'.repeat(5000), path: `/${'p'.repeat(3000)}é`, requestId: 'r'.repeat(1500) },
]

test('writeText writes formatText(info) and a newline, byte for byte', () => {
  const out = new LineBytes(0)
  const expected: string[] = []
  for (const variant of [...variants, ...variants.reverse()]) {
    const info = { ...base, ...variant } as unknown as RequestInfo
    writeText(out, info)
    out.byte(10)
    expected.push(`${formatText(info)}\n`)
  }
  expect(out.bytes.slice(0, out.length)).toEqual(new TextEncoder().encode(expected.join('')))
})
