// What the numbers were measured on: machine, tool versions, commit; printed under the table.

import { spawnSync } from 'node:child_process'
import { cpus, release } from 'node:os'
import { join } from 'node:path'
import { toolPath } from './tools.ts'

export function environmentNotes(repoDir: string): string[] {
  const cpu = cpus()
  return [
    `date ${new Date().toISOString()}, commit ${firstLine('git', ['-C', repoDir, 'rev-parse', '--short', 'HEAD'])}`,
    `machine: ${cpu.length} cores (${cpu[0]?.model.trim() ?? 'unknown cpu'}), Linux ${release()}; other work on the box adds noise`,
    `versions: ${firstLine(toolPath('wrk'), ['-v'])}; ${firstLine(toolPath('nginx'), ['-v'])}; ${firstLine(toolPath('haproxy'), ['-v'])}; ` +
      `bun ${firstLine(join(repoDir, 'node_modules/.bin/bun'), ['--version'])}; ${firstLine(join(repoDir, 'node_modules/.bin/deno'), ['--version'])}`,
  ]
}

function firstLine(command: string | undefined, args: string[]): string {
  if (!command) return 'missing'
  // wrk -v exits 1 and nginx -v writes to stderr: take whatever it printed first
  const run = spawnSync(command, args, { encoding: 'utf8', timeout: 5_000 })
  const text = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim()
  return (text.split('\n')[0] ?? '').replace(/\s+Copyright.*$/, '').trim() || 'unknown'
}
