// Envoy judges each discovery update on its own: a new cds.yaml is applied with the listeners
// last accepted from lds.yaml, whatever lds.yaml holds now (it may be broken, its own update
// rejected). edgeway reloads the whole config at once, so the reload a changed file starts reads
// the other dynamic files as last accepted; a reload from SIGHUP or the main file reads them all.

export class AcceptedFiles {
  readonly #read: (path: string) => string
  #dynamic = new Set<string>()
  readonly #accepted = new Map<string, string>()
  readonly #candidates = new Map<string, string>()
  #trigger: string | undefined

  constructor(read: (path: string) => string) {
    this.#read = read
  }

  /** The LDS / CDS files (absolute paths); other files (certificates) are always read fresh. */
  track(paths: Iterable<string>): void {
    this.#dynamic = new Set(paths)
  }

  /** A load begins: `trigger` is the file whose change started it (undefined: read every file fresh). */
  begin(trigger: string | undefined): void {
    this.#trigger = trigger
    this.#candidates.clear()
  }

  readonly readFile = (path: string): string => {
    const pinned = this.#trigger !== undefined && path !== this.#trigger ? this.#accepted.get(path) : undefined
    if (pinned !== undefined) return pinned
    const text = this.#read(path)
    this.#candidates.set(path, text)
    return text
  }

  /** What a load begun now must read instead of the disk (the config loader process gets these): readFile's pinned texts. */
  pinned(): Record<string, string> {
    if (this.#trigger === undefined) return {}
    return Object.fromEntries([...this.#accepted].filter(([path]) => path !== this.#trigger))
  }

  /** Files a load read from disk elsewhere (the config loader process), as readFile would have noted them. */
  record(reads: Iterable<readonly [path: string, text: string]>): void {
    for (const [path, text] of reads) this.#candidates.set(path, text)
  }

  /** The text last accepted for `path`, if it was read. */
  accepted(path: string): string | undefined {
    return this.#accepted.get(path)
  }

  /** The load just begun was applied: what it read is now what was last accepted. */
  commit(): void {
    for (const [path, text] of this.#candidates) if (this.#dynamic.size === 0 || this.#dynamic.has(path)) this.#accepted.set(path, text)
    this.#candidates.clear()
  }
}
