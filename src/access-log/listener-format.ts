// The access-log line of one listener, chosen once when its handler is built: Envoy's default
// line and edgeway's JSON line keep their hand-written formatters (the default stays the cheapest
// and byte for byte what it always was); a configured format is compiled into a plan.

import { formatJson, formatText, writeText } from '../access-log.ts'
import type { ListenerConfig } from '../config/model.ts'
import { downstreamAddress } from '../proxy/headers/upstream-headers.ts'
import type { RequestInfo } from '../proxy/request-info.ts'
import { compileFormat, type FormatPlan } from './format-plan.ts'

export type ListenerFormatDeps = {
  readonly hostname: string
  readonly env: (name: string) => string | undefined
}

/** The listener's line formatter, or undefined when it keeps no access log. */
export function listenerAccessLog(listener: ListenerConfig, deps: ListenerFormatDeps): FormatPlan | undefined {
  const log = listener.accessLog
  if (!log.enabled) return undefined
  if (log.textFormat === undefined && log.jsonFormat === undefined) return log.format === 'json' ? { format: formatJson, needsPeer: false } : { format: formatText, write: writeText, needsPeer: false }
  const plan = compileFormat(
    { ...(log.textFormat !== undefined && { text: log.textFormat }), ...(log.jsonFormat !== undefined && { json: log.jsonFormat }), omitEmptyValues: log.omitEmptyValues },
    {
      hostname: deps.hostname,
      env: deps.env,
      tls: listener.tls !== undefined,
      localAddress: listener.address.includes(':') ? `[${listener.address}]:${listener.port}` : `${listener.address}:${listener.port}`,
      remoteAddress: (info: RequestInfo, peerIp: string) => downstreamAddress(info.requestHeaders, listener, peerIp),
    },
  )
  // The config load checked every operator: a problem here is a bug, not a user's mistake.
  if ('problems' in plan) throw new Error(`access log format: ${plan.problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`)
  return plan
}
