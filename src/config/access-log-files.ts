// Access logs written to files: each path resolved from the config's folder (as certificates
// are) and checked at load, as Envoy fails to start on a log it cannot open. Nothing is created
// here (`--mode validate` must leave no file behind): the folder must exist and be writable, and
// so must the file when it is already there.

import { accessSync, constants, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { ConfigIssue } from './config-error.ts'
import type { ConfigFile } from './schema.ts'

const STREAMS = ['/dev/stdout', '/dev/stderr']

export function resolveAccessLogFiles(file: ConfigFile, baseDir: string, userPath: (path: string) => string): { file: ConfigFile; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = []
  const listeners = file.listeners.map((listener, i) => {
    const log = listener.access_log
    // The process's own streams are written as streams, not opened as files (Deno would need --allow-all).
    if (log === false || log.path === undefined || STREAMS.includes(log.path)) return listener
    const path = resolve(baseDir, log.path)
    const problem = unwritable(path)
    if (problem) issues.push({ path: userPath(`listeners[${i}].access_log.path`), message: `cannot write the access log "${path}": ${problem}` })
    return { ...listener, access_log: { ...log, path } }
  })
  return { file: { ...file, listeners }, issues }
}

function unwritable(path: string): string | undefined {
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) return 'is a directory'
    accessSync(path, constants.W_OK)
    return undefined
  } catch (error) {
    if ((error as { code?: string }).code !== 'ENOENT') return describe(error)
  }
  try {
    accessSync(dirname(path), constants.W_OK)
    return undefined
  } catch (error) {
    return (error as { code?: string }).code === 'ENOENT' ? `no folder ${dirname(path)}` : describe(error)
  }
}

const describe = (error: unknown) => ((error as { code?: string }).code === 'EACCES' ? 'permission denied' : (error as Error).message)
