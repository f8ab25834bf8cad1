// Finds, among one trace's spans, the one an arriving half belongs to, in O(1): spans indexed by
// id and shared flag (a linear search per span made a 110k-span trace quadratic: a blocked store).

import { isSameSpan } from './span-merge.ts'
import type { Span } from './span-model.ts'

export class SpanIndex {
  // id + shared flag -> positions; more than one only when the local services differ.
  readonly #byId = new Map<string, number[]>()

  /** Position of the span `span` is a half of, or -1; `at` reads the span at a position. */
  find(span: Span, at: (position: number) => Span): number {
    const positions = this.#byId.get(spanKey(span))
    if (!positions) return -1
    for (const position of positions) if (isSameSpan(at(position), span)) return position
    return -1
  }

  add(span: Span, position: number): void {
    const key = spanKey(span)
    const positions = this.#byId.get(key)
    if (positions) positions.push(position)
    else this.#byId.set(key, [position])
  }
}

/** A span's id and shared flag: the key its halves share (the SQLite store's span_key column too). */
export function spanKey(span: Span): string {
  return span.shared ? `${span.id}/shared` : span.id
}
