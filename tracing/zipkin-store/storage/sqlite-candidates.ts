// The indexed pre-filter of a trace search: traces in the time window, newest first, that have
// a span of the service, a span with the name, the remote service, a duration in range and every
// annotationQuery term. Only a pre-filter: the store checks each candidate with matchesQuery,
// which also requires all criteria to hold on spans of the service.

import type { TraceQuery } from '../trace-query.ts'
import type { SqlValue } from './sql-database.ts'

/** SQL and its parameters; the caller appends LIMIT and OFFSET values. */
export function candidateSql(query: TraceQuery): { sql: string; params: SqlValue[] } {
  const where = ['ts_us BETWEEN ? AND ?']
  const params: SqlValue[] = [(query.endTsMs - query.lookbackMs) * 1000, query.endTsMs * 1000]
  const service = query.serviceName
  const spanFilter = (condition: string, ...values: SqlValue[]) => {
    where.push(`trace_key IN (SELECT trace_key FROM spans WHERE ${service === undefined ? '' : 'service = ? AND '}${condition})`)
    if (service !== undefined) params.push(service)
    params.push(...values)
  }
  if (service !== undefined) {
    where.push('trace_key IN (SELECT trace_key FROM spans WHERE service = ?)')
    params.push(service)
  }
  if (query.spanName !== undefined) spanFilter('name = ?', query.spanName)
  if (query.remoteServiceName !== undefined) spanFilter('remote_service = ?', query.remoteServiceName)
  if (query.minDurationUs !== undefined) {
    if (query.maxDurationUs === undefined) spanFilter('duration >= ?', query.minDurationUs)
    else spanFilter('duration BETWEEN ? AND ?', query.minDurationUs, query.maxDurationUs)
  }
  for (const [key, value] of query.annotationQuery) {
    if (value === '') {
      where.push('trace_key IN (SELECT trace_key FROM span_terms WHERE key = ?)')
      params.push(key)
    } else {
      where.push('trace_key IN (SELECT trace_key FROM span_terms WHERE key = ? AND value = ?)')
      params.push(key, value)
    }
  }
  return { sql: `SELECT trace_key FROM traces WHERE ${where.join(' AND ')} ORDER BY ts_us DESC, seq LIMIT ? OFFSET ?`, params }
}
