// Finds wrk, nginx, haproxy and h2load, and installs the missing ones from Debian/Ubuntu packages with apt-get.

import { execFileSync } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { join } from 'node:path'

const PACKAGES: Record<string, string> = { wrk: 'wrk', nginx: 'nginx-light', haproxy: 'haproxy', h2load: 'nghttp2-client' }
// nginx and haproxy live in sbin, which is not on a non-root user's PATH
const EXTRA_DIRS = ['/usr/sbin', '/sbin', '/usr/local/sbin']

export function toolPath(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(':').filter(Boolean), ...EXTRA_DIRS]
  for (const dir of dirs) {
    const candidate = join(dir, name)
    try {
      accessSync(candidate, constants.X_OK)
      return candidate
    } catch {
      // not here
    }
  }
  return undefined
}

/** Installs what is missing (apt-get install -y); throws with the command to run when it cannot. */
export function ensureTools(names: string[], log: (line: string) => void): void {
  const missing = names.filter((name) => !toolPath(name))
  if (missing.length === 0) return
  const packages = missing.map((name) => PACKAGES[name] ?? name)
  const asRoot = process.getuid?.() === 0
  const prefix = asRoot ? [] : toolPath('sudo') ? ['sudo', '-n'] : undefined
  if (!toolPath('apt-get') || prefix === undefined) {
    throw new Error(`missing ${missing.join(', ')}; install them first: apt-get install -y ${packages.join(' ')}`)
  }
  log(`installing ${packages.join(' ')} with apt-get`)
  const run = (args: string[]) => {
    const [command, ...rest] = [...prefix, ...args]
    execFileSync(command as string, rest, { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } })
  }
  run(['apt-get', 'update'])
  run(['apt-get', 'install', '-y', '--no-install-recommends', ...packages])
  const still = names.filter((name) => !toolPath(name))
  if (still.length > 0) throw new Error(`apt-get ran but ${still.join(', ')} is still missing`)
}
