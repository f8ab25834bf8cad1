// The trace store on a SQLite file (`edgeway zipkin --storage sqlite:PATH`): traces survive a
// restart. Halves of a span merge as in memory (span-merge.ts), found by span id without reading
// the rest of the trace; searches are narrowed by indexed
// SQL, then checked by the same matchesQuery the in-memory store uses, so both answer alike.
// Retention: whole oldest traces go once over maxSpans or maxBytes, and traces older than maxAgeMs.

import { traceKey } from '../span-ids.ts'
import { spanKey } from '../span-index.ts'
import { isSameSpan, mergeSpan } from '../span-merge.ts'
import { localServiceName, remoteServiceName, type Span } from '../span-model.ts'
import { isRootSpan, matchesQuery, traceTimestampUs, type TraceQuery } from '../trace-query.ts'
import { candidateSql } from './sqlite-candidates.ts'
import { ensureSchema } from './sqlite-schema.ts'
import type { SqlDatabase, SqlValue } from './sql-database.ts'
import { DEFAULT_MAX_SPANS_PER_TRACE, checkTraceLimits, type TraceLimits, type TraceStore } from './trace-store.ts'

export type SqliteStoreOptions = TraceLimits & {
  maxSpans: number
  /** Sum of the stored span JSON; default unlimited. */
  maxBytes?: number
  /** Traces that arrived longer ago are deleted; default kept until evicted by size. */
  maxAgeMs?: number
  strictTraceId?: boolean
  nowMs?: () => number
}

type Row = { rowid: number; span: Span; json: string; dirty: boolean }

/** Age retention runs at most this often (on writes and searches), not per call. */
const AGE_CHECK_EVERY_MS = 5_000

export class SqliteTraceStore implements TraceStore {
  readonly #db: SqlDatabase
  readonly #o: Required<Omit<SqliteStoreOptions, 'maxBytes' | 'maxAgeMs' | 'onTraceCapped'>> & Pick<SqliteStoreOptions, 'maxBytes' | 'maxAgeMs' | 'onTraceCapped'>
  readonly #capped = new Set<string>()
  #dropped = 0
  #spans = 0
  #traces = 0
  #bytes = 0
  #seq = 0
  #ageCheckedMs = Number.NEGATIVE_INFINITY

  constructor(db: SqlDatabase, options: SqliteStoreOptions) {
    if (!Number.isInteger(options.maxSpans) || options.maxSpans < 1) throw new RangeError('maxSpans must be a positive integer')
    this.#db = db
    this.#o = { strictTraceId: true, nowMs: Date.now, ...options, maxSpansPerTrace: options.maxSpansPerTrace ?? DEFAULT_MAX_SPANS_PER_TRACE }
    checkTraceLimits(this.#o.maxSpansPerTrace)
    ensureSchema(db)
    this.#recount()
    this.#retain()
  }

  get spanCount(): number {
    return this.#spans
  }

  get traceCount(): number {
    return this.#traces
  }

  get droppedSpans(): number {
    return this.#dropped
  }

  /** Bytes of span JSON stored (what maxBytes bounds). */
  get byteCount(): number {
    return this.#bytes
  }

  accept(spans: readonly Span[]): void {
    const byTrace = new Map<string, Span[]>()
    for (const span of spans) {
      const key = traceKey(span.traceId, this.#o.strictTraceId)
      const list = byTrace.get(key)
      if (list) list.push(span)
      else byTrace.set(key, [span])
    }
    this.#transaction(() => {
      for (const [key, incoming] of byTrace) this.#acceptTrace(key, incoming)
    })
    this.#retain()
  }

  /**
   * Reads only the stored spans the POST touches (by trace and span id), never the whole trace:
   * ingest is O(spans posted) however large the trace has grown.
   */
  #acceptTrace(key: string, incoming: readonly Span[]): void {
    const trace = this.#db.prepare('SELECT span_count FROM traces WHERE trace_key = ?').get(key)
    const known = trace === undefined ? 0 : Number(trace.span_count)
    let count = known
    // Rows of this POST's span ids, stored or new, so halves within one POST merge too.
    const byKey = new Map<string, Row[]>()
    const updated = new Set<Row>()
    const added: Row[] = []
    for (const span of incoming) {
      const sk = spanKey(span)
      let rows = byKey.get(sk)
      if (!rows) {
        rows = known === 0 ? [] : this.#storedHalves(key, sk)
        byKey.set(sk, rows)
      }
      const row = rows.find((candidate) => isSameSpan(candidate.span, span))
      if (row) {
        row.span = mergeSpan(row.span, span)
        if (row.rowid >= 0) updated.add(row)
      } else if (count >= this.#o.maxSpansPerTrace) {
        this.#dropped += 1
        if (!this.#capped.has(key)) {
          this.#capped.add(key)
          this.#o.onTraceCapped?.(span.traceId, this.#o.maxSpansPerTrace)
        }
      } else {
        const fresh: Row = { rowid: -1, span, json: '', dirty: true }
        rows.push(fresh)
        added.push(fresh)
        count += 1
      }
    }
    let bytesDelta = 0
    // Updates first, then new spans in the order they came: getTrace lists spans by rowid.
    for (const row of [...updated, ...added]) {
      const json = JSON.stringify(row.span)
      bytesDelta += json.length - row.json.length
      row.json = json
      this.#writeSpan(key, row)
    }
    // A new trace's spans are all in hand; a known one's are asked of the indexes.
    const tsUs = trace === undefined ? (traceTimestampUs(added.map((row) => row.span)) ?? null) : this.#traceTimestampUs(key)
    if (trace === undefined) {
      if (added.length === 0) return
      this.#db
        .prepare('INSERT INTO traces (trace_key, seq, arrived_ms, ts_us, span_count, bytes) VALUES (?, ?, ?, ?, ?, ?)')
        .run(key, ++this.#seq, Math.floor(this.#o.nowMs()), tsUs, count, bytesDelta)
      this.#traces += 1
    } else {
      this.#db.prepare('UPDATE traces SET ts_us = ?, span_count = span_count + ?, bytes = bytes + ? WHERE trace_key = ?').run(tsUs, added.length, bytesDelta, key)
    }
    this.#spans += added.length
    this.#bytes += bytesDelta
  }

  /** The stored spans of `trace` with this span key: usually none or one. */
  #storedHalves(trace: string, sk: string): Row[] {
    return this.#db
      .prepare('SELECT rowid, json FROM spans WHERE trace_key = ? AND span_key = ? ORDER BY rowid')
      .all(trace, sk)
      .map((r) => ({ rowid: Number(r.rowid), json: String(r.json), span: JSON.parse(String(r.json)) as Span, dirty: false }))
  }

  /** traceTimestampUs over the stored spans, from two indexed lookups: the first root's timestamp, else the earliest. */
  #traceTimestampUs(trace: string): number | null {
    const root = this.#db.prepare('SELECT ts FROM spans WHERE trace_key = ? AND is_root = 1 AND ts IS NOT NULL ORDER BY rowid LIMIT 1').get(trace)
    if (root !== undefined) return Number(root.ts)
    const earliest = this.#db.prepare('SELECT MIN(ts) AS ts FROM spans WHERE trace_key = ?').get(trace)
    return earliest?.ts === undefined || earliest.ts === null ? null : Number(earliest.ts)
  }

  #writeSpan(key: string, row: Row): void {
    const s = row.span
    const values: SqlValue[] = [
      localServiceName(s) ?? null,
      remoteServiceName(s) ?? null,
      s.name ?? null,
      s.duration ?? null,
      row.json,
      spanKey(s),
      s.timestamp ?? null,
      isRootSpan(s) ? 1 : 0,
    ]
    if (row.rowid < 0) {
      row.rowid = Number(
        this.#db
          .prepare('INSERT INTO spans (trace_key, service, remote_service, name, duration, json, span_key, ts, is_root) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING rowid AS id')
          .get(key, ...values)!.id,
      )
    } else {
      this.#db.prepare('UPDATE spans SET service = ?, remote_service = ?, name = ?, duration = ?, json = ?, span_key = ?, ts = ?, is_root = ? WHERE rowid = ?').run(...values, row.rowid)
      this.#db.prepare('DELETE FROM span_terms WHERE span_rowid = ?').run(row.rowid)
    }
    const term = this.#db.prepare('INSERT INTO span_terms (span_rowid, trace_key, key, value) VALUES (?, ?, ?, ?)')
    for (const [name, value] of Object.entries(s.tags ?? {})) term.run(row.rowid, key, name, value)
    for (const annotation of s.annotations ?? []) term.run(row.rowid, key, annotation.value, null)
  }

  getTrace(traceId: string): Span[] | undefined {
    const rows = this.#db.prepare('SELECT json FROM spans WHERE trace_key = ? ORDER BY rowid').all(traceKey(traceId, this.#o.strictTraceId))
    return rows.length === 0 ? undefined : rows.map((r) => JSON.parse(String(r.json)) as Span)
  }

  findTraces(query: TraceQuery): Span[][] {
    this.#retain()
    const { sql, params } = candidateSql(query)
    const statement = this.#db.prepare(sql)
    const found: Span[][] = []
    // Candidates come newest first in pages; each is checked exactly, as the in-memory store does.
    const page = Math.max(query.limit * 2, 50)
    for (let offset = 0; found.length < query.limit; offset += page) {
      const keys = statement.all(...params, page, offset)
      for (const { trace_key } of keys) {
        const trace = this.getTrace(String(trace_key))
        if (trace && matchesQuery(trace, query)) found.push(trace)
        if (found.length === query.limit) break
      }
      if (keys.length < page) break
    }
    return found
  }

  *tracesInWindow(endTsMs: number, lookbackMs: number): IterableIterator<readonly Span[]> {
    const keys = this.#db
      .prepare('SELECT trace_key FROM traces WHERE ts_us BETWEEN ? AND ? ORDER BY ts_us')
      .all((endTsMs - lookbackMs) * 1000, endTsMs * 1000)
    for (const { trace_key } of keys) {
      const trace = this.getTrace(String(trace_key))
      if (trace) yield trace
    }
  }

  serviceNames(): string[] {
    return this.#strings('SELECT DISTINCT service AS v FROM spans WHERE service IS NOT NULL ORDER BY v')
  }

  spanNames(serviceName: string): string[] {
    return this.#strings('SELECT DISTINCT name AS v FROM spans WHERE service = ? AND name IS NOT NULL ORDER BY v', serviceName.toLowerCase())
  }

  remoteServiceNames(serviceName: string): string[] {
    return this.#strings('SELECT DISTINCT remote_service AS v FROM spans WHERE service = ? AND remote_service IS NOT NULL ORDER BY v', serviceName.toLowerCase())
  }

  tagValues(key: string): string[] {
    return this.#strings('SELECT DISTINCT value AS v FROM span_terms WHERE key = ? AND value IS NOT NULL ORDER BY v', key)
  }

  close(): void {
    this.#db.close()
  }

  #strings(sql: string, ...params: SqlValue[]): string[] {
    return this.#db.prepare(sql).all(...params).map((r) => String(r.v))
  }

  #transaction(work: () => void): void {
    this.#db.exec('BEGIN IMMEDIATE')
    try {
      work()
      this.#db.exec('COMMIT')
    } catch (error) {
      this.#db.exec('ROLLBACK')
      this.#recount()
      throw error
    }
  }

  #recount(): void {
    const row = this.#db.prepare('SELECT COUNT(*) AS traces, COALESCE(SUM(span_count), 0) AS spans, COALESCE(SUM(bytes), 0) AS bytes, COALESCE(MAX(seq), 0) AS seq FROM traces').get()!
    this.#traces = Number(row.traces)
    this.#spans = Number(row.spans)
    this.#bytes = Number(row.bytes)
    this.#seq = Number(row.seq)
  }

  /** Age first (cheap, indexed), then whole oldest traces until under both size bounds. */
  #retain(): void {
    const now = this.#o.nowMs()
    const overSize = () => this.#spans > this.#o.maxSpans || (this.#o.maxBytes !== undefined && this.#bytes > this.#o.maxBytes)
    const ageDue = this.#o.maxAgeMs !== undefined && now - this.#ageCheckedMs >= AGE_CHECK_EVERY_MS
    if (!ageDue && !overSize()) return
    this.#transaction(() => {
      if (ageDue) {
        this.#ageCheckedMs = now
        this.#deleteTraces('SELECT trace_key FROM traces WHERE arrived_ms < ?', now - this.#o.maxAgeMs!)
      }
      while (overSize()) {
        const oldest = this.#db.prepare('SELECT trace_key, span_count, bytes FROM traces ORDER BY seq LIMIT 64').all()
        if (oldest.length === 0) break
        for (const row of oldest) {
          if (!overSize()) break
          this.#deleteTraces('SELECT ? AS trace_key', String(row.trace_key))
        }
      }
    })
  }

  /** Deletes the traces the subquery names, keeping the counters true. */
  #deleteTraces(select: string, ...params: SqlValue[]): void {
    const gone = this.#db.prepare(`SELECT COUNT(*) AS traces, COALESCE(SUM(span_count), 0) AS spans, COALESCE(SUM(bytes), 0) AS bytes FROM traces WHERE trace_key IN (${select})`).get(...params)!
    if (Number(gone.traces) === 0) return
    for (const table of ['span_terms', 'spans', 'traces']) this.#db.prepare(`DELETE FROM ${table} WHERE trace_key IN (${select})`).run(...params)
    this.#traces -= Number(gone.traces)
    this.#spans -= Number(gone.spans)
    this.#bytes -= Number(gone.bytes)
  }
}
