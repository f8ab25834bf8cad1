// Remembers where each part of the translated (compact) config came from in the user's Envoy
// file, so a problem found later by the compact schema or the cross-checks names the user's path.

export class PathMap {
  readonly #links = new Map<string, string>()

  /** `compact` (e.g. `clusters[1].load_assignment.endpoints[0]`) was read from `envoy`. */
  link(compact: string, envoy: string): void {
    this.#links.set(compact, envoy)
  }

  /** The Envoy path for a compact one: the longest linked prefix, with the rest appended as is. */
  toEnvoy(compact: string): string {
    let head = compact
    let tail = ''
    for (;;) {
      const found = this.#links.get(head)
      if (found !== undefined) return joinPath(found, tail)
      const cut = Math.max(head.lastIndexOf('.'), head.lastIndexOf('['))
      if (cut <= 0) return joinPath('', compact)
      tail = head.slice(cut) + tail
      head = head.slice(0, cut)
    }
  }
}

function joinPath(head: string, tail: string): string {
  if (!head) return tail.startsWith('.') ? tail.slice(1) : tail
  return head + tail
}
