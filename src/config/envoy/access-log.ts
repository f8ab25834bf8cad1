// HCM `access_log`: Envoy's stdout logger, or its file logger (/dev/stdout is stdout, /dev/null is
// none, any other path a file appended to), is the listener's access log. No `access_log` at all means no log, as in Envoy. A `log_format`
// (v3 SubstitutionFormatString) or the v2 file logger's `format` / `json_format` becomes the compact
// access_log's text_format / json_format, whose operators the compact schema checks.

import { ACCESS_LOG, FILE_ACCESS_LOG, STDERR_ACCESS_LOG, STDOUT_ACCESS_LOG, SUBSTITUTION_FORMAT, TEXT_FORMAT_SOURCE } from './fields.ts'
import { extension } from './extensions.ts'
import { at, checkKeys, idx, isObj, list, mapping, type Obj, str, unwrap } from './reader.ts'
import type { Tx } from './translate.ts'

export function readAccessLogs(tx: Tx, value: unknown, path: string, compactPath: string): false | Obj {
  const { ctx } = tx
  let logging: false | Obj = false
  list(ctx, value, path).forEach((entry, i) => {
    const logPath = idx(path, i)
    const log = mapping(ctx, entry, logPath)
    if (!log) return
    checkKeys(ctx, log, logPath, ACCESS_LOG)
    const ext = extension(ctx, log, logPath, ['file_log', 'stdout_log', 'stderr_log'], 'access logger')
    if (!ext) return
    let toStdout = false
    let toFile: string | undefined
    if (ext.kind === 'file_log') {
      checkKeys(ctx, ext.body, ext.bodyPath, FILE_ACCESS_LOG)
      const file = str(ctx, ext.body.path, at(ext.bodyPath, 'path'))
      if (file === undefined) {
        if (ext.body.path === undefined) ctx.error(at(ext.bodyPath, 'path'), 'is required')
      } else if (file === '/dev/stdout') toStdout = true
      else if (file !== '/dev/null') {
        toFile = file
        tx.paths.link(`${compactPath}.access_log.path`, at(ext.bodyPath, 'path'))
      }
    } else if (ext.kind === 'stdout_log') {
      checkKeys(ctx, ext.body, ext.bodyPath, STDOUT_ACCESS_LOG)
      toStdout = true
    } else {
      // Envoy's stderr logger: the process's stderr, appended to as a file is.
      checkKeys(ctx, ext.body, ext.bodyPath, STDERR_ACCESS_LOG)
      toFile = '/dev/stderr'
      tx.paths.link(`${compactPath}.access_log.path`, at(logPath, 'name'))
    }
    if (!toStdout && toFile === undefined) return
    if (logging) {
      ctx.unsupported(logPath, 'a second access log is')
      return
    }
    logging = { ...readFormat(tx, ext.body, ext.bodyPath, `${compactPath}.access_log`), ...(toFile !== undefined && { path: toFile }) }
  })
  return logging
}

/** The log's format: `log_format`, or the v2 file logger's `format` / `json_format` / `typed_json_format`. */
function readFormat(tx: Tx, body: Obj, path: string, compactPath: string): Obj {
  const { ctx } = tx
  const given = ['log_format', 'format', 'json_format', 'typed_json_format'].filter((key) => body[key] !== undefined)
  if (given.length > 1) ctx.error(at(path, given[1]!), `give one of ${given.join(', ')}, not several`)
  const key = given[0]
  if (key === undefined) return { format: 'text' }
  const keyPath = at(path, key)
  if (key === 'format') return text(tx, str(ctx, body.format, keyPath), keyPath, compactPath, false)
  if (key !== 'log_format') return json(tx, body[key], keyPath, compactPath, false)

  const format = mapping(ctx, body.log_format, keyPath)
  if (!format) return { format: 'text' }
  checkKeys(ctx, format, keyPath, SUBSTITUTION_FORMAT)
  const omit = unwrap(format.omit_empty_values)
  if (omit !== undefined && typeof omit !== 'boolean') ctx.error(at(keyPath, 'omit_empty_values'), 'expected true or false')
  const omitEmpty = omit === true
  const kinds = ['text_format', 'text_format_source', 'json_format'].filter((k) => format[k] !== undefined)
  if (kinds.length !== 1) {
    ctx.error(keyPath, kinds.length === 0 ? 'needs one of text_format, text_format_source or json_format' : `give one of ${kinds.join(', ')}, not several`)
    return { format: 'text' }
  }
  const kind = kinds[0]!
  const kindPath = at(keyPath, kind)
  if (kind === 'json_format') return json(tx, format.json_format, kindPath, compactPath, omitEmpty)
  if (kind === 'text_format') return text(tx, str(ctx, format.text_format, kindPath), kindPath, compactPath, omitEmpty)
  const source = mapping(ctx, format.text_format_source, kindPath)
  if (!source) return { format: 'text' }
  checkKeys(ctx, source, kindPath, TEXT_FORMAT_SOURCE)
  if (source.inline_string === undefined) {
    if (!Object.keys(source).some((k) => TEXT_FORMAT_SOURCE.unsupported?.includes(k))) ctx.error(kindPath, 'needs inline_string')
    return { format: 'text' }
  }
  const inlinePath = at(kindPath, 'inline_string')
  return text(tx, str(ctx, source.inline_string, inlinePath), inlinePath, compactPath, omitEmpty)
}

function text(tx: Tx, value: string | undefined, path: string, compactPath: string, omit: boolean): Obj {
  if (value === undefined) return { format: 'text' }
  tx.paths.link(`${compactPath}.text_format`, path)
  return { format: 'text', text_format: value, omit_empty_values: omit }
}

function json(tx: Tx, value: unknown, path: string, compactPath: string, omit: boolean): Obj {
  if (!isObj(value)) {
    mapping(tx.ctx, value, path)
    return { format: 'text' }
  }
  tx.paths.link(`${compactPath}.json_format`, path)
  return { format: 'json', json_format: value, omit_empty_values: omit }
}
