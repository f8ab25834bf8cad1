// One trace's spans in the in-memory store, in arrival order, with halves merged through a
// SpanIndex (O(1) per span) and no more than a given number of spans.

import { SpanIndex } from './span-index.ts'
import { mergeSpan } from './span-merge.ts'
import type { Span } from './span-model.ts'

export type AddOutcome = 'added' | 'merged' | 'dropped'

export class TraceSpans {
  readonly spans: Span[] = []
  readonly #index = new SpanIndex()

  get size(): number {
    return this.spans.length
  }

  /** Merges into the same span when known; otherwise appends unless the trace holds `maxSpans`. */
  add(span: Span, maxSpans: number): AddOutcome {
    const position = this.#index.find(span, (at) => this.spans[at]!)
    if (position !== -1) {
      this.spans[position] = mergeSpan(this.spans[position]!, span)
      return 'merged'
    }
    if (this.spans.length >= maxSpans) return 'dropped'
    this.#index.add(span, this.spans.length)
    this.spans.push(span)
    return 'added'
  }
}
