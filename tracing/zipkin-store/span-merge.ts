// Merges halves of one span reported separately (late tags, a finish reported apart from its
// start), following Zipkin's Trace.merge: same id and shared flag, same or unknown local service.

import type { Annotation, Endpoint, Span } from './span-model.ts'

/** A shared SERVER span reuses its CLIENT's id but is a different span: never merge those. */
export function isSameSpan(a: Span, b: Span): boolean {
  if (a.id !== b.id || Boolean(a.shared) !== Boolean(b.shared)) return false
  const left = a.localEndpoint?.serviceName
  const right = b.localEndpoint?.serviceName
  return left === undefined || right === undefined || left === right
}

function mergeEndpoint(a: Endpoint | undefined, b: Endpoint | undefined): Endpoint | undefined {
  if (!a) return b
  if (!b) return a
  return { ...b, ...a }
}

function mergeAnnotations(a: Annotation[] | undefined, b: Annotation[] | undefined): Annotation[] | undefined {
  if (!a) return b
  if (!b) return a
  const seen = new Map<string, Annotation>()
  for (const annotation of [...a, ...b]) seen.set(`${annotation.timestamp}|${annotation.value}`, annotation)
  return [...seen.values()].sort((x, y) => x.timestamp - y.timestamp)
}

/** Fields already known on `existing` win, except that a real name replaces "unknown". */
export function mergeSpan(existing: Span, incoming: Span): Span {
  const merged: Span = { ...incoming, ...stripUndefined(existing) }
  if ((existing.name === undefined || existing.name === 'unknown') && incoming.name !== undefined) {
    merged.name = incoming.name
  }
  // A span finished elsewhere may report a longer duration once both halves are known.
  if (existing.duration !== undefined && incoming.duration !== undefined) {
    merged.duration = Math.max(existing.duration, incoming.duration)
  }
  const local = mergeEndpoint(existing.localEndpoint, incoming.localEndpoint)
  if (local) merged.localEndpoint = local
  const remote = mergeEndpoint(existing.remoteEndpoint, incoming.remoteEndpoint)
  if (remote) merged.remoteEndpoint = remote
  const annotations = mergeAnnotations(existing.annotations, incoming.annotations)
  if (annotations) merged.annotations = annotations
  if (existing.tags || incoming.tags) merged.tags = { ...incoming.tags, ...existing.tags }
  if (existing.debug || incoming.debug) merged.debug = true
  return merged
}

function stripUndefined(span: Span): Partial<Span> {
  return Object.fromEntries(Object.entries(span).filter(([, value]) => value !== undefined))
}
