// Lines appended just before the process exits must all reach the file, on Bun and on Deno: the
// exit path flushes synchronously, so nothing may still be waiting for the event loop then (an
// asynchronous write in flight, or lines queued behind one). The integration tests stop edgeway
// by a drain, which leaves the loop time to finish such a write; this exits at once, several full
// buffers in.

import { describe, expect, test } from 'bun:test'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const ROOT = new URL('../../', import.meta.url).pathname
const LINES = 2000

describe('the access log at an immediate exit', () => {
  for (const runtime of ['bun', 'deno'] as const) {
    test(`${runtime}: ${LINES} lines of ~4.5 buffers appended, then exit(0): every line is in the file, in order`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'edgeway-exit-flush-'))
      try {
        const script = join(dir, 'exit.ts')
        const path = join(dir, 'access.log')
        writeFileSync(
          script,
          `import process from 'node:process'
import { defaultAccessLogOutputs } from ${JSON.stringify(`${ROOT}src/access-log/default-outputs.ts`)}
const outputs = defaultAccessLogOutputs({ write: () => {}, log: (line) => console.error(line) })
const log = outputs.loggerFor(${JSON.stringify(path)}, { format: (info) => info.line })
const pad = 'x'.repeat(140)
for (let i = 0; i < ${LINES}; i++) log({ line: String(i).padStart(5, '0') + pad })
process.on('exit', () => outputs.flushAndDrain())
process.exit(0)
`,
        )
        const command = `${ROOT}node_modules/.bin/${runtime}`
        const run = spawnSync(command, runtime === 'deno' ? ['run', '-A', script] : [script], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 })
        expect(run.stderr).toBe('')
        expect(run.status).toBe(0)
        const lines = readFileSync(path, 'utf8').split('\n')
        expect(lines.pop()).toBe('')
        expect(lines.length).toBe(LINES)
        for (let i = 0; i < LINES; i++) if (!lines[i]!.startsWith(String(i).padStart(5, '0'))) throw new Error(`line ${i} is ${lines[i]!.slice(0, 5)}`)
      } finally {
        rmSync(dir, { recursive: true, force: true })
      }
    })
  }
})
