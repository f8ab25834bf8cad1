// The sampler: the proxy decides (B3 flag, debug, force-trace, random sampling) and this obeys.
// The decision travels in the context given to startSpan, so every span, sampled or not, is made by
// the SDK with valid ids; an unsampled one is a NonRecordingSpan whose ids can still be injected.

import { createContextKey, SamplingDecision, TraceFlags, trace, type Context } from '@opentelemetry/api'
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base'
import { debugTraceState } from './debug-state.ts'

const DECISION = createContextKey('edgeway.sampling-decision')

export type Decision = { sampled: boolean; debug: boolean }

export function withDecision(ctx: Context, decision: Decision): Context {
  return ctx.setValue(DECISION, decision)
}

/**
 * Without an explicit decision (code that calls `tracing.tracer` directly) a child follows its
 * parent's sampled flag and a root is sampled, like ParentBased(AlwaysOn).
 */
export class DecisionSampler implements Sampler {
  shouldSample(ctx: Context): SamplingResult {
    const decided = ctx.getValue(DECISION) as Decision | undefined
    const parent = trace.getSpanContext(ctx)
    const sampled = decided ? decided.sampled : parent ? (parent.traceFlags & TraceFlags.SAMPLED) !== 0 : true
    // Debug rides in trace state, which children inherit, so their spans export `debug: true` too.
    return {
      decision: sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.NOT_RECORD,
      ...(decided?.debug ? { traceState: debugTraceState() } : {}),
    }
  }

  toString(): string {
    return 'DecisionSampler'
  }
}
