// The indexed pre-filter of a trace search: traces in the time window, newest first, that have
// a span of the service, a span with the name, the remote service, a duration in range and every
// annotationQuery term. Only a pre-filter: the store checks each candidate with matchesQuery,
// which also requires all criteria to hold on spans of the service. Correlated EXISTS probes
// (one index lookup per trace) walk traces newest first and stop at the limit, instead of
// collecting every trace of a busy service and sorting them. INDEXED BY: without statistics the
// planner would probe a busy service+name through its own index instead of the trace key.

import type { TraceQuery } from '../trace-query.ts'
import type { SqlValue } from './sql-database.ts'

/** SQL and its parameters; the caller appends LIMIT and OFFSET values. */
export function candidateSql(query: TraceQuery): { sql: string; params: SqlValue[] } {
  const where = ['t.ts_us BETWEEN ? AND ?']
  const params: SqlValue[] = [(query.endTsMs - query.lookbackMs) * 1000, query.endTsMs * 1000]
  const service = query.serviceName
  const spanFilter = (condition: string, ...values: SqlValue[]) => {
    where.push(`EXISTS (SELECT 1 FROM spans s INDEXED BY spans_trace WHERE s.trace_key = t.trace_key AND ${service === undefined ? '' : 's.service = ? AND '}${condition})`)
    if (service !== undefined) params.push(service)
    params.push(...values)
  }
  if (service !== undefined) {
    where.push('EXISTS (SELECT 1 FROM spans s INDEXED BY spans_trace WHERE s.trace_key = t.trace_key AND s.service = ?)')
    params.push(service)
  }
  if (query.spanName !== undefined) spanFilter('s.name = ?', query.spanName)
  if (query.remoteServiceName !== undefined) spanFilter('s.remote_service = ?', query.remoteServiceName)
  if (query.minDurationUs !== undefined) {
    if (query.maxDurationUs === undefined) spanFilter('s.duration >= ?', query.minDurationUs)
    else spanFilter('s.duration BETWEEN ? AND ?', query.minDurationUs, query.maxDurationUs)
  }
  for (const [key, value] of query.annotationQuery) {
    if (value === '') {
      where.push('EXISTS (SELECT 1 FROM span_terms m INDEXED BY terms_trace WHERE m.trace_key = t.trace_key AND m.key = ?)')
      params.push(key)
    } else {
      where.push('EXISTS (SELECT 1 FROM span_terms m INDEXED BY terms_trace WHERE m.trace_key = t.trace_key AND m.key = ? AND m.value = ?)')
      params.push(key, value)
    }
  }
  return { sql: `SELECT t.trace_key FROM traces t WHERE ${where.join(' AND ')} ORDER BY t.ts_us DESC, t.seq LIMIT ? OFFSET ?`, params }
}
