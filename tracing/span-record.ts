// One span as the proxy records it: plain fields (wire-form ids, epoch-ms floats, string tags) that
// the batch processor queues and the Zipkin encoder reads directly. It implements the api `Span` so
// code written against OpenTelemetry can tag it, and the SDK's `ReadableSpan` (derived on demand) so
// any OTel SpanExporter, e.g. the in-memory one tests use, can consume it.
// Why not the SDK's own spans: they cost a context, a sampler call, attribute sanitising and
// HrTime conversions per span, which measured ~10 % of a traced request's CPU (README, tracing).

import {
  SpanStatusCode,
  TraceFlags,
  type Attributes,
  type AttributeValue,
  type HrTime,
  type Link,
  type Span,
  type SpanContext,
  type SpanKind,
  type SpanStatus,
  type TimeInput,
} from '@opentelemetry/api'
import type { InstrumentationScope } from '@opentelemetry/core'
import type { Resource } from '@opentelemetry/resources'
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base'
import { debugTraceState } from './debug-state.ts'
import { durationNanos, msToHrTime, nowMs } from './hr-clock.ts'
import { toOtelTraceId } from './trace-ids.ts'

/** Zipkin's Endpoint: who is on the other side of a CLIENT or SERVER span. */
export type RemoteEndpoint = { serviceName?: string; ipv4?: string; ipv6?: string; port?: number }

/**
 * The tag map as the proxy writes it: non-empty strings only (Envoy's setTag rule), which is what
 * `tag` and the request tracer's writers store; the encoder then hands it to JSON as it is.
 */
export type SpanTagMap = Record<string, string>

/** Where a finished sampled span goes (the batch processor). */
export type SpanSink = { onEnd(span: SpanRecord): void }

const SCOPE: InstrumentationScope = { name: 'edgeway' }
const UNSET: SpanStatus = { code: SpanStatusCode.UNSET }

/** Never set: the stores after newTagMap's early return are there to be counted, not run. */
let sizingOnly = false

/**
 * An empty tag map with inline room for a request span's 15 tags. JSC sizes an object literal's
 * inline storage by the property stores that follow it in its function, run or not; a bare `{}`
 * gets 6 slots, then out-of-line storage that a request span's tags outgrow twice (4 → 8 → 16
 * slots, an allocation and a copy each; an attempt span's 10 tags once). No effect on V8.
 * The map stays a plain object, so JSON.stringify's fast path takes it as before.
 */
function newTagMap(): Attributes {
  const tags: Record<string, string> = {}
  if (!sizingOnly) return tags
  tags.t1 = tags.t2 = tags.t3 = tags.t4 = tags.t5 = tags.t6 = tags.t7 = tags.t8 = ''
  tags.t9 = tags.t10 = tags.t11 = tags.t12 = tags.t13 = tags.t14 = tags.t15 = tags.t16 = ''
  sizingOnly = false
  return tags
}

export class SpanRecord implements Span, ReadableSpan {
  /** NaN until ended. */
  endMs = Number.NaN
  /** Tag values are kept as given; the encoder writes them as strings. */
  readonly attributes: Attributes = newTagMap()
  status: SpanStatus = UNSET
  /** The other side (attempt spans: the cluster and endpoint), exported as Zipkin's remoteEndpoint. */
  remote: RemoteEndpoint | undefined
  /** A SERVER span that reuses its caller's span id (Zipkin's `shared`, Envoy's shared_span_context). */
  shared = false
  /**
   * False once the OTel api stored a value other than a non-empty string (a number, a list, ''):
   * only then must the encoder rebuild the tags; `tag` and the request tracer keep it true.
   */
  stringTags = true
  #events: TimedEvent[] | undefined

  /** Positional, so starting a span allocates nothing but the record and its tag object. */
  constructor(
    public name: string,
    readonly kind: SpanKind,
    /** Wire form: 16 or 32 lower-case hex, exactly as it is injected and exported. */
    readonly traceId: string,
    readonly spanId: string,
    readonly parentSpanId: string | undefined,
    readonly sampled: boolean,
    readonly debug: boolean,
    /** Epoch milliseconds with a fraction (performance's clock anchored at timeOrigin). */
    readonly startMs: number,
    private readonly sink: SpanSink | undefined,
    readonly resource: Resource,
  ) {}

  /** Sets a string tag, skipping empty values as Envoy's setTag does; the hot path's setter. */
  tag(name: string, value: string | number | undefined): void {
    if (!this.sampled || value === undefined || value === '' || this.ended) return
    this.attributes[name] = typeof value === 'string' ? value : String(value)
  }

  get ended(): boolean {
    return this.endMs === this.endMs
  }

  // --- api Span ---

  spanContext(): SpanContext {
    const ctx: SpanContext = {
      traceId: toOtelTraceId(this.traceId),
      spanId: this.spanId,
      traceFlags: this.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE,
    }
    if (this.debug) ctx.traceState = debugTraceState()
    return ctx
  }

  setAttribute(key: string, value: AttributeValue | undefined): this {
    if (this.sampled && !this.ended && value !== undefined) {
      if (typeof value !== 'string' || value === '') this.stringTags = false
      this.attributes[key] = value
    }
    return this
  }

  setAttributes(attributes: Attributes): this {
    for (const key of Object.keys(attributes)) this.setAttribute(key, attributes[key])
    return this
  }

  addEvent(name: string, attributesOrTime?: Attributes | TimeInput, time?: TimeInput): this {
    if (!this.sampled || this.ended) return this
    const isTime = attributesOrTime !== undefined && (typeof attributesOrTime === 'number' || Array.isArray(attributesOrTime) || attributesOrTime instanceof Date)
    const at = isTime ? (attributesOrTime as TimeInput) : time
    const event: TimedEvent = { name, time: msToHrTime(at === undefined ? nowMs() : timeInputToMs(at)), droppedAttributesCount: 0 }
    if (!isTime && attributesOrTime) event.attributes = attributesOrTime as Attributes
    ;(this.#events ??= []).push(event)
    return this
  }

  addLink(_link: Link): this {
    return this
  }

  addLinks(_links: Link[]): this {
    return this
  }

  setStatus(status: SpanStatus): this {
    if (!this.ended) this.status = status
    return this
  }

  updateName(name: string): this {
    if (!this.ended) this.name = name
    return this
  }

  /** Ends once; a sampled span then goes to the sink. Times default to the span clock's now. */
  end(endTime?: TimeInput): void {
    this.endAt(endTime === undefined ? nowMs() : timeInputToMs(endTime))
  }

  /** end() at an epoch-ms time already on the span clock (hr-clock.ts): the proxy's own path. */
  endAt(epochMs: number): void {
    if (this.ended) return
    this.endMs = epochMs
    if (this.sampled) this.sink?.onEnd(this)
  }

  isRecording(): boolean {
    return this.sampled && !this.ended
  }

  recordException(exception: unknown, time?: TimeInput): void {
    const message = exception instanceof Error ? exception.message : String(exception)
    this.addEvent('exception', { 'exception.message': message }, time)
  }

  // --- ReadableSpan, derived when an OTel exporter asks ---

  get parentSpanContext(): SpanContext | undefined {
    if (!this.parentSpanId) return undefined
    return { traceId: toOtelTraceId(this.traceId), spanId: this.parentSpanId, traceFlags: this.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE }
  }

  get startTime(): HrTime {
    return msToHrTime(this.startMs)
  }

  get endTime(): HrTime {
    return this.ended ? msToHrTime(this.endMs) : [0, 0]
  }

  get duration(): HrTime {
    if (!this.ended) return [-1, -1]
    const ns = durationNanos(this.startMs, this.endMs)
    return [Math.floor(ns / 1e9), ns % 1e9]
  }

  get events(): TimedEvent[] {
    return this.#events ?? []
  }

  /** Whether events were added, without the empty array `events` makes for an OTel exporter. */
  get hasEvents(): boolean {
    return this.#events !== undefined
  }

  get links(): Link[] {
    return []
  }

  get instrumentationScope(): InstrumentationScope {
    return SCOPE
  }

  get droppedAttributesCount(): number {
    return 0
  }

  get droppedEventsCount(): number {
    return 0
  }

  get droppedLinksCount(): number {
    return 0
  }
}

/** OTel's TimeInput rules: HrTime, Date, epoch ms, or (below half of timeOrigin) performance.now() ms. */
function timeInputToMs(time: TimeInput): number {
  if (typeof time === 'number') return time < performance.timeOrigin / 2 ? performance.timeOrigin + time : time
  if (time instanceof Date) return time.getTime()
  return time[0] * 1000 + time[1] / 1e6
}
