// The request-head parser (src/http1/request-head.ts) against a real server on the same raw bytes:
// each request of a corpus (the hostile-input corpus and more heads) goes to a bare Bun.serve and
// through the parser (with request-framing.ts's check on what it noted), and the two verdicts
// (served, or the status it was refused with, or a close) must agree, except where this file
// lists a difference and why edgeway's choice is Envoy's or the RFC's. A Bun upgrade or a parser
// change that moves a verdict fails here. Bun only: Deno.serve is not started (its verdicts on the
// same corpus are pinned per runtime in hostile-corpus.ts).

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startBareBunServe, type BareBunServe } from '../support/bare-bun-serve.ts'
import { encodeLatin1 } from '../../src/http1/latin1.ts'
import { parseRequestHead, RequestHeadRecord } from '../../src/http1/request-head.ts'
import { RequestHeadError } from '../../src/http1/request-head-error.ts'
import { DEFAULT_REQUEST_HEAD_LIMITS } from '../../src/http1/request-head-limits.ts'
import { framingErrorOf } from '../../src/proxy/request-framing.ts'
import { HOSTILE_CASES } from '../support/hostile-corpus.ts'
import { RawConnection } from '../support/raw-client.ts'

type Verdict = 'served' | 'closed' | number

const H = 'Host: x\r\n'
const EXTRA: readonly { name: string; request: string }[] = [
  { name: 'plain GET (wrk\'s request)', request: `GET / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n\r\n` },
  { name: 'HTTP/1.0 with Host', request: `GET / HTTP/1.0\r\n${H}\r\n` },
  { name: 'CONNECT authority-form', request: 'CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n' },
  { name: 'https absolute-form', request: `GET https://a.example/x HTTP/1.1\r\n${H}\r\n` },
  { name: 'HTTP/2.0 request line', request: `GET / HTTP/2.0\r\n${H}\r\n` },
  { name: 'HTTP/1.10', request: `GET / HTTP/1.10\r\n${H}\r\n` },
  { name: 'lower-case version', request: `GET / http/1.1\r\n${H}\r\n` },
  { name: 'SP after the version', request: `GET / HTTP/1.1 \r\n${H}\r\n` },
  { name: 'HTAB inside a header value', request: `GET / HTTP/1.1\r\n${H}X-A: b\tc\r\n\r\n` },
  { name: 'bare LF ending the head', request: `GET / HTTP/1.1\r\n${H}\n` },
  { name: 'SP before the request line', request: ` GET / HTTP/1.1\r\n${H}\r\n` },
  { name: 'empty header value', request: `GET / HTTP/1.1\r\n${H}X-A:\r\n\r\n` },
  { name: 'obs-text in a header name', request: `GET / HTTP/1.1\r\n${H}X-\xe9: 1\r\n\r\n` },
  { name: '150 fields', request: `GET / HTTP/1.1\r\n${H}${Array.from({ length: 149 }, (_, i) => `X-${i}: 1\r\n`).join('')}\r\n` },
  { name: 'Expect: 100-continue', request: `POST / HTTP/1.1\r\n${H}Expect: 100-continue\r\nContent-Length: 0\r\n\r\n` },
  { name: 'Connection: close', request: `GET / HTTP/1.1\r\n${H}Connection: close\r\n\r\n` },
]

/**
 * Where Bun.serve and the parser disagree, and why edgeway's choice stands. `bun`: Bun's verdict;
 * the parser's is the other column. Every entry must still differ: a stale one fails.
 */
const DIFFERENCES: Readonly<Record<string, { bun: Verdict; parser: Verdict; why: string }>> = {
  'two equal Content-Length headers': { bun: 'served', parser: 400, why: 'Bun joins them ("3, 3"); request-framing.ts refuses any repeat, as Envoy\'s codec (issue 10): the parser notes the joined value for it' },
  'two Host headers': { bun: 'served', parser: 400, why: 'two authorities: refused in the head (http1.duplicate_host); on Bun.serve the path refuses the joined "a, b" in requestTarget, so edgeway\'s answer is the same' },
  'bare LF line endings': { bun: 505, parser: 400, why: 'both refuse (codec.ts refuses bare LF in responses too); a malformed head is 400, not a version problem' },
  'bare CR ending the request line': { bun: 505, parser: 400, why: 'both refuse; 400, the line is malformed' },
  'tab in the request target': { bun: 505, parser: 400, why: 'both refuse; the target is malformed, the version is fine' },
  'SOH in the target': { bun: 505, parser: 400, why: 'both refuse; a control byte is 400 (invalid_characters)' },
  'HTTP/0.9 request line': { bun: 505, parser: 400, why: 'no version at all is a malformed request line; 505 only for a well-formed HTTP/d.d not served' },
  'HTTP/1.10': { bun: 505, parser: 400, why: 'not HTTP-version\'s grammar (RFC 9112 §2.3: one digit each): malformed, 400' },
  'lower-case version': { bun: 505, parser: 400, why: 'HTTP-name is case-sensitive (RFC 9112 §2.3): malformed, 400' },
  'SP after the version': { bun: 505, parser: 400, why: 'one SP between the parts and none after (RFC 9112 §3): malformed, 400' },
  'raw non-ASCII byte in the path': { bun: 'served', parser: 400, why: 'Bun re-encodes the byte as U+FFFD; no URI holds a raw byte past 0x7E (RFC 3986 §2), Deno.serve refuses it too' },
  'DEL in the target': { bun: 'served', parser: 400, why: 'Bun percent-encodes it; DEL is a control byte (RFC 5234 CTL), refused anywhere in the head as codec.ts does' },
  'DEL in a header value': { bun: 'served', parser: 400, why: 'Bun drops the byte silently; DEL is no field-vchar (RFC 9110 §5.5): refused, never rewritten' },
  'unknown method': { bun: 'closed', parser: 'served', why: 'a method is any token (RFC 9110 §9.1); Deno.serve forwards it; what the path answers is its call' },
  'lower-case method': { bun: 'closed', parser: 'served', why: 'methods are case-sensitive tokens: `get` is a method of its own, forwarded by Deno.serve; the path decides' },
  'method with a digit': { bun: 400, parser: 'served', why: 'a token all the same (RFC 9110 §9.1)' },
  'OPTIONS *': { bun: 400, parser: 'served', why: 'asterisk-form is OPTIONS\'s (RFC 9112 §3.2.4); the parser names the form, and the path (requestTarget) refuses `*` today, so edgeway still answers 400' },
  'empty line before the request line': { bun: 400, parser: 'served', why: 'RFC 9112 §2.2: a server SHOULD ignore at least one empty line before the request line (clients send one after a body)' },
  '150 fields': { bun: 'served', parser: 431, why: 'Envoy\'s max_headers_count, 100 by default (http1.too_many_headers); a bare Bun.serve admits 198 field lines, edgeway\'s path counts them against max_request_headers_count' },
  '101 header fields': { bun: 'served', parser: 431, why: 'the same limit at its edge: the path (downstream-request.ts) answers 431 on Bun.serve too' },
  '120 lines of one name': { bun: 'served', parser: 431, why: 'the parser counts lines, as Envoy does; Bun.serve joins the repeats into one field before the path counts (README limits)' },
  'CONNECT without a port': { bun: 'served', parser: 400, why: 'the parser refuses it in the head, as Envoy\'s codec; Bun.serve passes it on and the path (connectTarget) refuses it, so edgeway\'s answer is the same 400' },
  "headers over Bun's default limit, under the listener's (20 KiB)": { bun: 431, parser: 'served', why: 'a bare Bun.serve keeps its 16 KiB default; bin/edgeway raises it and the listener\'s 60 KiB applies, as here' },
}

// The bare Bun.serve runs in a process of its own with Bun's default header limit pinned on its
// command line: in this process another test file may have raised the limit (node:http's
// maxHeaderSize is process-wide, src/adapter/bun-header-limit.ts), which moves the size verdicts.
const SERVE = "const s = Bun.serve({ port: 0, hostname: '127.0.0.1', development: false, idleTimeout: 5, fetch: () => new Response('served') }); console.log(s.port)"
let server: BareBunServe | undefined
let port = 0

beforeAll(async () => {
  server = await startBareBunServe(SERVE, { bunArgs: ['--max-http-header-size=16384'] })
  port = server.port
})

afterAll(async () => {
  await server?.stop()
})

async function bunVerdict(request: string): Promise<Verdict> {
  const connection = await RawConnection.open(port)
  try {
    connection.send(request)
    const answer = await connection.response()
    if (answer === 'closed') return 'closed'
    return answer.status === 200 && answer.body === 'served' ? 'served' : answer.status
  } finally {
    connection.close()
  }
}

function parserVerdict(request: string): Verdict {
  try {
    const head = parseRequestHead(encodeLatin1(request), DEFAULT_REQUEST_HEAD_LIMITS, new RequestHeadRecord())
    if (head === undefined) return 'closed'
    return framingErrorOf(head.contentLength, head.transferEncoding, head.version === 10) ? 400 : 'served'
  } catch (error) {
    if (error instanceof RequestHeadError) return error.status
    throw error
  }
}

describe('request-head parser against Bun.serve', () => {
  for (const { name, request } of [...HOSTILE_CASES, ...EXTRA]) {
    test(name, async () => {
      const bun = await bunVerdict(request)
      const parser = parserVerdict(request)
      const listed = DIFFERENCES[name]
      if (listed === undefined) expect(parser).toBe(bun)
      else expect({ bun, parser }).toEqual({ bun: listed.bun, parser: listed.parser })
    })
  }

  test('every listed difference names a case of the corpus', () => {
    const names = new Set([...HOSTILE_CASES, ...EXTRA].map((c) => c.name))
    expect(Object.keys(DIFFERENCES).filter((name) => !names.has(name))).toEqual([])
  })
})
