// HCM `access_log`: Envoy's stdout logger, or its file logger writing to /dev/stdout, is edgeway's
// access log in Envoy's default format; /dev/null is none. No `access_log` at all means no log, as in Envoy.

import { ACCESS_LOG, FILE_ACCESS_LOG, STDOUT_ACCESS_LOG } from './fields.ts'
import { extension } from './extensions.ts'
import { at, checkKeys, idx, list, mapping, str } from './reader.ts'
import type { Tx } from './translate.ts'

export function readAccessLogs(tx: Tx, value: unknown, path: string): false | { format: 'text' } {
  const { ctx } = tx
  let logging = false
  list(ctx, value, path).forEach((entry, i) => {
    const logPath = idx(path, i)
    const log = mapping(ctx, entry, logPath)
    if (!log) return
    checkKeys(ctx, log, logPath, ACCESS_LOG)
    const ext = extension(ctx, log, logPath, ['file_log', 'stdout_log', 'stderr_log'], 'access logger')
    if (!ext) return
    let toStdout = false
    if (ext.kind === 'file_log') {
      checkKeys(ctx, ext.body, ext.bodyPath, FILE_ACCESS_LOG)
      const file = str(ctx, ext.body.path, at(ext.bodyPath, 'path'))
      if (file === undefined) ctx.error(at(ext.bodyPath, 'path'), 'is required')
      else if (file === '/dev/stdout') toStdout = true
      else if (file !== '/dev/null') ctx.error(at(ext.bodyPath, 'path'), `writing access logs to "${file}" is not supported by edgeway (use /dev/stdout)`)
    } else if (ext.kind === 'stdout_log') {
      checkKeys(ctx, ext.body, ext.bodyPath, STDOUT_ACCESS_LOG)
      toStdout = true
    } else {
      ctx.error(at(logPath, 'name'), 'an access log on stderr is not supported by edgeway (use envoy.access_loggers.stdout)')
    }
    if (toStdout && logging) ctx.unsupported(logPath, 'a second access log is')
    logging ||= toStdout
  })
  return logging ? { format: 'text' } : false
}
