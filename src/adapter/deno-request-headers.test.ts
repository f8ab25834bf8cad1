// The snapshot must answer exactly as the Headers it was taken from: checked against a request
// Deno.serve really handed over (immutable headers, duplicates and odd spellings on the wire),
// and against Bun's Headers in process.

import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { HeaderSnapshot } from './deno-request-headers.ts'

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
    set: attempt(() => headers.set('x-new', '1')),
    append: attempt(() => headers.append('x-new', '1')),
    delete: attempt(() => headers.delete('host')),
  }
}

describe('HeaderSnapshot', () => {
  test('answers as the Deno.serve request headers it was taken from', () => {
    const dir = mkdtempSync(join(tmpdir(), 'edgeway-snapshot-'))
    try {
      const script = join(dir, 'compare.ts')
      writeFileSync(
        script,
        `
import { HeaderSnapshot } from ${JSON.stringify(`${ROOT}src/adapter/deno-request-headers.ts`)}
${answers.toString()}
const NAMES = ${JSON.stringify(NAMES)}
const INVALID = ${JSON.stringify(INVALID)}
let result
const server = Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, (request) => {
  result = { real: answers(request.headers), snapshot: answers(new HeaderSnapshot(request.headers)) }
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
      const { real, snapshot } = JSON.parse(run.stdout) as { real: Record<string, unknown>; snapshot: Record<string, unknown> }
      expect(real.set).toBe('threw TypeError') // the case the snapshot stands in for: Deno's are immutable
      expect(snapshot).toEqual(real)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  test('reads and iterates as the runtime’s Headers do, and refuses changes', () => {
    const source = new Headers([
      ['Host', 'example.com'],
      ['x-dup', 'one'],
      ['X-Dup', 'two'],
      ['set-cookie', 'a=1'],
      ['set-cookie', 'b=2'],
      ['x-empty', ''],
    ])
    const snapshot = new HeaderSnapshot(source) as unknown as Headers
    const real = answers(source) as Record<string, unknown>
    const mine = answers(snapshot) as Record<string, unknown>
    for (const key of ['get', 'has', 'forEach', 'entries', 'iterator', 'keys', 'values', 'cookies', 'copy']) expect(mine[key]).toEqual(real[key])
    for (const key of ['set', 'append', 'delete']) expect(mine[key]).toBe('threw TypeError')
  })
})
