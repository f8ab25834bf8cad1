// `npm test`: boundary check, type check, then every bun test (unit, integration, e2e), and one
// closing line `N passed, N failed` that CI reads (bun's own summary is not recognised there).

import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync } from 'node:fs'

const root = new URL('..', import.meta.url).pathname
const bin = (name: string) => `${root}node_modules/.bin/${name}`
let passed = 0
let failed = 0

function step(name: string, command: string, args: string[], env: Record<string, string> = {}): boolean {
  const set = Object.entries(env).map(([key, value]) => `${key}=${value} `).join('')
  console.log(`\n=== ${name}: ${set}${[command.replace(root, ''), ...args].join(' ')}`)
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } })
  return result.status === 0
}

function check(name: string, command: string, args: string[], env: Record<string, string> = {}): void {
  if (step(name, command, args, env)) passed++
  else {
    failed++
    console.log(`FAILED: ${name}`)
  }
}

check('module boundaries', 'bash', ['test/check-boundaries.sh'])
check('type check', bin('tsc'), ['--noEmit', '-p', '.'])

mkdirSync(`${root}test-results`, { recursive: true })
const junit = `${root}test-results/junit.xml`
const extra = process.argv.slice(2)
// bench/ is not part of npm test (its own tests drive nginx and haproxy: `npm run test:bench`).
const paths = extra.length ? extra : ['./src/', './tracing/', './test/', './compose/']
const ok = step('bun test', bin('bun'), ['test', '--timeout', '90000', '--reporter=junit', `--reporter-outfile=${junit}`, ...paths])
// The suites that start edgeway in the test's own process read EDGEWAY_LISTENER once, at import:
// they run again with the byte-level listener switched on (the child-process suites have their
// own row for it), listener-switch.test.ts proving the switch took effect.
if (extra.length === 0) {
  const inProcess = ['listener-switch', 'proxy-basics', 'local-replies', 'response-body', 'websocket'].map((name) => `./test/integration/${name}.test.ts`)
  check('in-process listener suites on the byte listener', bin('bun'), ['test', '--timeout', '90000', ...inProcess], { EDGEWAY_LISTENER: 'bytes' })
}
let counted = false
try {
  const xml = readFileSync(junit, 'utf8')
  const suites = /<testsuites\b[^>]*>/.exec(xml)?.[0] ?? ''
  const attr = (name: string) => Number(new RegExp(`\\b${name}="(\\d+)"`).exec(suites)?.[1] ?? 0)
  const tests = attr('tests')
  const failures = attr('failures') + attr('errors')
  const skipped = attr('skipped')
  passed += tests - failures - skipped
  failed += failures
  // A skipped test is a test that did not run: count it as a failure rather than hide it.
  failed += skipped
  counted = tests > 0
  for (const match of xml.matchAll(/<testcase\b[^>]*name="([^"]*)"[^>]*classname="([^"]*)"[^>]*>\s*<(failure|error|skipped)/g))
    console.log(`FAILED: ${match[2]} > ${match[1]}`)
} catch {
  // no report: counted stays false
}
if (!counted || (!ok && failed === 0)) {
  console.log('FAILED: bun test produced no usable report or exited non-zero without a failed test')
  failed++
}
console.log(`\n${passed} passed, ${failed} failed`)
process.exit(failed === 0 ? 0 : 1)
