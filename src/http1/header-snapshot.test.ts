// The snapshot must answer exactly as the Headers it was taken from, and after each edit as a
// mutable Headers holding the same fields: checked against a request Deno.serve really handed over
// (immutable headers, duplicates and odd spellings on the wire) and a Deno Headers copy of it
// edited the same way, and against Bun's Headers in process.

import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HeaderSnapshot } from './header-snapshot.ts'

const ROOT = new URL('../../', import.meta.url).pathname
const NAMES = ['host', 'Host', 'ACCEPT', 'x-dup', 'X-Dup', 'set-cookie', 'cookie', 'x-empty', 'x-absent', 'content-length', 'x-b3-traceid', 'user-agent']
const INVALID = ['', 'bad name', 'x:y', 'é']

/** What a Headers-like object answers, as plain data (errors by name). */
function answers(headers: Headers): unknown {
  const attempt = (f: () => unknown) => {
    try {
      return f()
    } catch (error) {
      return `threw ${(error as Error).name}`
    }
  }
  const each: [string, string][] = []
  headers.forEach((value, name) => each.push([name, value]))
  return {
    get: [...NAMES, ...INVALID].map((name) => attempt(() => headers.get(name))),
    has: [...NAMES, ...INVALID].map((name) => attempt(() => headers.has(name))),
    forEach: each,
    entries: [...headers.entries()],
    iterator: [...headers],
    keys: [...headers.keys()],
    values: [...headers.values()],
    cookies: headers.getSetCookie(),
    copy: [...new Headers(headers as HeadersInit)],
  }
}

/** The proxy's edits and then some (odd spellings, repeats, set-cookie, invalid names and values): each one's outcome, then the answers. */
function edited(headers: Headers): unknown {
  const attempt = (f: () => unknown) => {
    try {
      f()
      return 'ok'
    } catch (error) {
      return `threw ${(error as Error).name}`
    }
  }
  const edits: [string, string, unknown][] = [
    ['set', 'X-Request-Id', 'abc'],
    ['set', 'x-dup', 'three'],
    ['append', 'x-new', ' padded\t'],
    ['append', 'X-New', 'second'],
    ['append', 'Set-Cookie', 'c=3'],
    ['delete', 'ACCEPT', undefined],
    ['delete', 'x-absent', undefined],
    ['set', 'x-b3-sampled', 1],
    ['set', 'a-first', ' a\tb '],
    ['set', 'zz-last', ''],
    ['append', 'x-latin', 'caf\u00e9'],
    ['set', 'bad name', 'v'],
    ['set', 'x-bad', 'a\r\nb'],
    ['append', 'x-bad', 'nul\u0000'],
    ['set', 'x-bad', '\u0100'],
    ['delete', '\u00e9', undefined],
    ['append', '', 'v'],
  ]
  const outcomes = edits.map(([op, name, value]) => attempt(() => (op === 'delete' ? headers.delete(name) : headers[op as 'set'](name, value as string))))
  const before = answers(headers)
  const replaced = attempt(() => headers.set('set-cookie', 'only'))
  const afterCookie = answers(headers)
  const dropped = attempt(() => headers.delete('Set-Cookie'))
  return { outcomes, before, replaced, afterCookie, dropped, after: answers(headers) }
}

describe('HeaderSnapshot', () => {
  test('answers as the Deno.serve request headers it was taken from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeway-snapshot-'))
    try {
      const script = join(dir, 'compare.ts')
      writeFileSync(
        script,
        `
import { HeaderSnapshot } from ${JSON.stringify(`${ROOT}src/http1/header-snapshot.ts`)}
${answers.toString()}
${edited.toString()}
const NAMES = ${JSON.stringify(NAMES)}
const INVALID = ${JSON.stringify(INVALID)}
let result
const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, (request) => {
  result = {
    real: answers(request.headers),
    snapshot: answers(new HeaderSnapshot(request.headers)),
    refused: (() => { try { request.headers.set('x-new', '1') } catch (error) { return error.name } })(),
    realEdited: edited(new Headers(request.headers)),
    snapshotEdited: edited(new HeaderSnapshot(request.headers)),
  }
  return new Response('ok')
})
const conn = await Deno.connect({ hostname: '127.0.0.1', port: server.addr.port })
const head = 'GET /x HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nACCEPT: */*\\r\\nx-dup: one\\r\\nX-Dup: two\\r\\nset-cookie: a=1\\r\\nSet-Cookie: b=2\\r\\ncookie: c=3\\r\\nx-empty:\\r\\nUser-Agent: test\\r\\nconnection: close\\r\\n\\r\\n'
await conn.write(new TextEncoder().encode(head))
const buffer = new Uint8Array(4096)
while ((await conn.read(buffer)) !== null);
conn.close()
await server.shutdown()
console.log(JSON.stringify(result))
`,
      )
      const run = spawnSync(`${ROOT}node_modules/.bin/deno`, ['run', '-A', script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
      expect(run.stderr).toBe('')
      const { real, snapshot, refused, realEdited, snapshotEdited } = JSON.parse(run.stdout) as Record<string, unknown>
      expect(refused).toBe('TypeError') // the case the snapshot stands in for: Deno's are immutable
      expect(snapshot).toEqual(real)
      expect(snapshotEdited).toEqual(realEdited)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('reads, iterates and is edited as the runtime’s Headers are', () => {
    const source = new Headers([
      ['Host', 'example.com'],
      ['x-dup', 'one'],
      ['X-Dup', 'two'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-empty', ''],
    ])
    const snapshot = new HeaderSnapshot(source) as unknown as Headers
    // Bun lists set-cookie last where Deno sorts it in (the Deno case above checks the order): here
    // what is read back, and each edit's outcome.
    const reads = ({ get, has, cookies }: Record<string, unknown>) => ({ get, has, cookies })
    expect(reads(answers(snapshot) as Record<string, unknown>)).toEqual(reads(answers(source) as Record<string, unknown>))
    const readBack = (result: unknown) => {
      const { outcomes, replaced, dropped, ...states } = result as Record<string, Record<string, unknown>>
      return { outcomes, replaced, dropped, states: Object.values(states).map(reads) }
    }
    expect(readBack(edited(snapshot))).toEqual(readBack(edited(new Headers(source))))
  })

  test('fromFields: a parsed head’s flat fields answer as the Headers made from the same lines', () => {
    const lines: [string, string][] = [['host', 'example.com'], ['x-dup', 'one'], ['accept', '*/*'], ['x-dup', 'two'], ['set-cookie', 'a=1'], ['set-cookie', 'b=2'], ['x-empty', '']]
    const snapshot = HeaderSnapshot.fromFields(lines.flat()) as unknown as Headers
    const source = new Headers(lines)
    const reads = ({ get, has, cookies }: Record<string, unknown>) => ({ get, has, cookies })
    expect(reads(answers(snapshot) as Record<string, unknown>)).toEqual(reads(answers(source) as Record<string, unknown>))
    const each: string[] = []
    snapshot.forEach((value, name) => each.push(`${name}: ${value}`))
    // Sorted, repeats joined in arrival order, set-cookie apart: what Bun's and Deno's Headers forEach give.
    expect(each).toEqual(['accept: */*', 'host: example.com', 'set-cookie: a=1', 'set-cookie: b=2', 'x-dup: one, two', 'x-empty: '])
    // A copy: the record's array is reused by the next head.
    const fields = ['a', '1', 'b', '2']
    const sorted = HeaderSnapshot.fromFields(fields)
    fields[1] = 'changed'
    expect(sorted.get('a')).toBe('1')
  })
})
