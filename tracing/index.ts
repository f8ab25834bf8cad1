// The tracing layer's public seam: src/ imports from here (and span-tags.ts) and sees only api types.

export { extractB3, type IncomingTrace, type TraceHeaders } from './b3-extract.ts'
export { injectB3, type B3Context } from './b3-inject.ts'
export { setupTracing, type SpanParent, type StartSpanOptions, type Tracing, type TracingOptions } from './setup-tracing.ts'
export { b3ContextOf } from './span-b3-context.ts'
export * from './span-tags.ts'
