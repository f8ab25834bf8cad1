// README's "What to try" block, run as a user types it after `npm ci`: every command that needs no
// running mesh is executed (validate, --help, the bundled store), the rest must at least name a
// curl/open against the mesh or an npm script that exists, so the block cannot drift again.

import { describe, expect, test } from 'bun:test'
import { spawn, spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { unusedPort } from '../support/sockets.ts'

const root = join(import.meta.dir, '..', '..')
const readme = readFileSync(join(root, 'README.md'), 'utf8')
const packageJson = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }

/** The commands of the first sh block under "## What to try", comments stripped. */
function whatToTryCommands(): string[] {
  const section = readme.slice(readme.indexOf('## What to try'))
  const block = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? ''
  return block
    .split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line && !line.startsWith('#'))
}

/** Runs a shell command line from the project root, as a user would after `npm ci`. */
function sh(command: string, timeoutMs = 60_000) {
  return spawnSync('sh', ['-c', command], { cwd: root, encoding: 'utf8', timeout: timeoutMs, env: { ...process.env, NO_COLOR: '1' } })
}

const commands = whatToTryCommands()
const needsMesh = (command: string) => /^(curl|open|for .* curl) /.test(command) || /localhost:(8000|8001|9411)/.test(command)

describe('README "What to try"', () => {
  test('the block exists and every command is of a kind this test knows', () => {
    expect(commands.length).toBeGreaterThan(5)
    const unknown = commands.filter((command) => !needsMesh(command) && !/^npx edgeway /.test(command) && !/^npm run [\w:-]+/.test(command))
    expect(unknown).toEqual([])
  })

  test('every npm script it names exists', () => {
    for (const command of commands.filter((c) => c.startsWith('npm run '))) {
      const script = command.split(/\s+/)[2]!
      expect(packageJson.scripts[script], command).toBeString()
    }
  })

  for (const command of commands.filter((c) => /^npx edgeway /.test(c) && !/ zipkin( |$)/.test(c))) {
    test(`runs: ${command}`, () => {
      const result = sh(command)
      expect(result.status, `${command}\n${result.stdout}${result.stderr}`).toBe(0)
      expect(result.stderr).not.toContain('    at ')
    })
  }

  for (const command of commands.filter((c) => /^npx edgeway zipkin/.test(c))) {
    test(`runs: ${command} (then stopped)`, async () => {
      // The README names a fixed port; a free one keeps this test from colliding with a running mesh.
      const port = await unusedPort()
      const line = command.replace(/--port \d+/, `--port ${port}`)
      // Its own process group: npx runs bin/edgeway, which runs bun, and a SIGTERM to npx alone left
      // that bun serving after the test (one store per run piled up on the machine).
      const child = spawn('sh', ['-c', `exec ${line}`], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      try {
        let answer: Response | undefined
        for (const until = Date.now() + 30_000; Date.now() < until && !answer; ) {
          answer = await fetch(`http://127.0.0.1:${port}/zipkin/`).catch(() => undefined)
          if (!answer) await new Promise((resolve) => setTimeout(resolve, 100))
        }
        expect(answer?.status).toBe(200)
        expect(await answer!.text()).toContain('<html')
      } finally {
        process.kill(-child.pid!, 'SIGTERM')
        await new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve)))
      }
    })
  }
})
