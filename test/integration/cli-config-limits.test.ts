// `edgeway --mode validate` on hostile or mistyped config, through the real CLI on Bun and Deno:
// an alias bomb, a timeout past the timer limit, an impossible IP and a non-RE2 regex each give
// one line with its path, exit 1, and no stack trace.

import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnEdgeway } from '../support/edgeway.ts'
import { withTestRuntime } from '../support/edgeway-processes.ts'

const dir = mkdtempSync(join(tmpdir(), 'edgeway-config-limits-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const EXIT_TIMEOUT_MS = 30_000

async function validate(runtime: 'bun' | 'deno', name: string, yaml: string): Promise<{ code: number | null; stdout: string; stderr: string; path: string }> {
  const path = join(dir, `${runtime}-${name}.yaml`)
  writeFileSync(path, yaml)
  const child = withTestRuntime(runtime, () => spawnEdgeway(['--mode', 'validate', '-c', path]))
  let timer: ReturnType<typeof setTimeout> | undefined
  const code = await Promise.race([
    child.exited,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(new Error(`validate still running after ${EXIT_TIMEOUT_MS} ms (alias expansion?); stderr:\n${child.stderr()}`))
      }, EXIT_TIMEOUT_MS)
    }),
  ]).finally(() => clearTimeout(timer))
  return { code, stdout: child.stdout(), stderr: child.stderr(), path }
}

const laughs = () => {
  const lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
  const names = 'abcdefghij'
  for (let i = 1; i < names.length; i++) lines.push(`${names[i]}: &${names[i]} [${Array(9).fill(`*${names[i - 1]}`).join(', ')}]`)
  return `${lines.join('\n')}\nlisteners: []\n`
}

const hostile = `
listeners:
  - name: ingress_http
    address: 999.1.1.1
    port: 8000
    virtual_hosts:
      - name: backend
        domains: ["*"]
        routes:
          - match: { safe_regex: { regex: "/user/(?=admin).*" } }
            route: { cluster: service1, timeout: 2147484s }
clusters:
  - name: service1
    type: strict_dns
    load_assignment: { endpoints: [ { address: 300.2.3.4, port: 80 } ] }
`

for (const runtime of ['bun', 'deno'] as const) {
  describe(`--mode validate on ${runtime}`, () => {
    test('a YAML alias bomb: one line naming the first alias, exit 1, no stack trace', async () => {
      const result = await validate(runtime, 'alias-bomb', laughs())
      expect(result.code).toBe(1)
      expect(result.stderr).toBe(
        `Cannot load config "${result.path}": 1 problem found\n  - line 2:8: YAML aliases expand past 100 nodes (an alias bomb?): write the repeated values out or use fewer aliases\n`,
      )
      expect(result.stdout).toBe('')
    })

    test('a timeout past 2^31 ms, impossible IPs and a lookahead: every one with its path, exit 1', async () => {
      const result = await validate(runtime, 'hostile', hostile)
      expect(result.code).toBe(1)
      const lines = result.stderr.trimEnd().split('\n')
      expect(lines).toEqual([
        `Cannot load config "${result.path}": 4 problems found`,
        '  - listeners[0].address: "999.1.1.1" is not an IPv4 address (four numbers 0-255)',
        '  - listeners[0].virtual_hosts[0].routes[0].match.safe_regex.regex: not a valid RE2 pattern (invalid or unsupported Perl syntax: `(?=`)',
        '  - listeners[0].virtual_hosts[0].routes[0].route.timeout: must be at most 2147483.647s (about 24.8 days, the longest timer a JS runtime keeps), got "2147484s"',
        '  - clusters[0].load_assignment.endpoints[0].address: "300.2.3.4" is not an IPv4 address (four numbers 0-255)',
      ])
      expect(result.stdout).toBe('')
    })
  })
}
