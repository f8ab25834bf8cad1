// Envoy's EdfScheduler (source/common/upstream/edf_scheduler.h): earliest deadline first over
// weighted entries, the schedule behind weighted round robin and weighted least request. Each
// entry's next deadline is the scheduler's current time + 1 / weight; a pick takes the earliest
// (ties: the earlier insertion) and puts it back with the weight it has then. The same
// arithmetic in doubles, so a schedule matches Envoy's pick for pick from the same start.

type Entry<T> = { deadline: number; order: number; readonly item: T }

export class EdfScheduler<T> {
  #now = 0
  #order = 0
  /** A binary min-heap on (deadline, order). */
  readonly #heap: Entry<T>[] = []

  /** Inserts `item` with a deadline 1 / weight from now (weight > 0). */
  add(weight: number, item: T): void {
    this.#push({ deadline: this.#now + 1 / weight, order: this.#order++, item })
  }

  /** Takes the entry with the earliest deadline and adds it back at its weight now; undefined when empty. */
  pickAndAdd(weightOf: (item: T) => number): T | undefined {
    const top = this.#heap[0]
    if (!top) return undefined
    this.#now = top.deadline
    // Re-adding is the top's new deadline and order, then a sift down: no pop and push.
    top.deadline = this.#now + 1 / weightOf(top.item)
    top.order = this.#order++
    this.#siftDown(0)
    return top.item
  }

  get size(): number {
    return this.#heap.length
  }

  /**
   * Envoy's createWithPicks: the scheduler as if `items` had been added in order and then picked
   * `picks` times, in O(n) for the bulk of the picks (Envoy seeds each balancer with a random
   * number of them so that proxies do not all start on the same endpoint).
   */
  static createWithPicks<T>(items: readonly T[], weightOf: (item: T) => number, picks: number): EdfScheduler<T> {
    const scheduler = new EdfScheduler<T>()
    if (items.length === 0) return scheduler
    picks = picks % 429_496_729
    // Envoy's epsilon, so weights that are multiples of each other land as a real sequence would.
    const augmented = (item: T) => weightOf(item) + 1e-13
    let sum = 0
    for (const item of items) sum += augmented(item)
    let picksSoFar = 0
    let maxPickTime = 0
    items.forEach((item, i) => {
      const weight = augmented(item)
      let floorPicks = Math.min(Math.trunc((weight * picks) / sum), 0xffffffff)
      // Where floating point puts floor(A*B) above A*B, Envoy takes one pick fewer.
      if (floorPicks > 0 && floorPicks / weight >= picks / sum) floorPicks--
      maxPickTime = Math.max(maxPickTime, floorPicks / weight)
      scheduler.#heap.push({ deadline: (floorPicks + 1) / weight, order: i, item })
      picksSoFar += floorPicks
    })
    for (let i = (scheduler.#heap.length >> 1) - 1; i >= 0; i--) scheduler.#siftDown(i)
    scheduler.#now = maxPickTime
    scheduler.#order = items.length
    for (; picksSoFar < picks; picksSoFar++) scheduler.pickAndAdd(weightOf)
    return scheduler
  }

  #push(entry: Entry<T>): void {
    const heap = this.#heap
    heap.push(entry)
    let i = heap.length - 1
    while (i > 0) {
      const parent = (i - 1) >> 1
      if (!before(heap[i]!, heap[parent]!)) break
      ;[heap[i], heap[parent]] = [heap[parent]!, heap[i]!]
      i = parent
    }
  }

  #siftDown(i: number): void {
    const heap = this.#heap
    for (;;) {
      const left = 2 * i + 1
      if (left >= heap.length) return
      const right = left + 1
      const child = right < heap.length && before(heap[right]!, heap[left]!) ? right : left
      if (!before(heap[child]!, heap[i]!)) return
      ;[heap[i], heap[child]] = [heap[child]!, heap[i]!]
      i = child
    }
  }
}

function before<T>(a: Entry<T>, b: Entry<T>): boolean {
  return a.deadline < b.deadline || (a.deadline === b.deadline && a.order < b.order)
}
