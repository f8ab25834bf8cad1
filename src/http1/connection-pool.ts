// Idle keep-alive connections per endpoint key, newest first (LIFO keeps a warm few and lets the
// rest age out), closed after an idle timeout. Runtime-neutral: it only calls close() on what it holds.

export interface Poolable {
  /** Closes the connection; the pool has already forgotten it. */
  close(): void
}

export type PoolOptions = {
  /** Idle connections older than this are closed instead of reused (upstreams close theirs too). */
  readonly idleTimeoutMs: number
  /** Idle connections kept per endpoint; more are closed on release. */
  readonly maxIdlePerKey: number
  readonly now: () => number
}

type Idle<C> = { readonly connection: C; readonly sinceMs: number }

export class ConnectionPool<C extends Poolable> {
  readonly #idle = new Map<string, Idle<C>[]>()
  readonly #options: PoolOptions
  #sweeper: ReturnType<typeof setInterval> | undefined

  constructor(options: PoolOptions) {
    this.#options = options
  }

  /** The most recently released live connection for `key`, or undefined. */
  acquire(key: string): C | undefined {
    const stack = this.#idle.get(key)
    if (!stack) return undefined
    const oldest = this.#options.now() - this.#options.idleTimeoutMs
    for (let idle = stack.pop(); idle; idle = stack.pop()) {
      if (idle.sinceMs > oldest) return idle.connection
      idle.connection.close()
    }
    return undefined
  }

  release(key: string, connection: C): void {
    let stack = this.#idle.get(key)
    if (!stack) this.#idle.set(key, (stack = []))
    if (stack.length >= this.#options.maxIdlePerKey) {
      connection.close()
      return
    }
    stack.push({ connection, sinceMs: this.#options.now() })
    this.#sweep()
  }

  /** Forgets an idle connection that closed or misbehaved; false when it was not idle here. */
  remove(key: string, connection: C): boolean {
    const stack = this.#idle.get(key)
    const index = stack?.findIndex((idle) => idle.connection === connection) ?? -1
    if (index < 0) return false
    stack!.splice(index, 1)
    return true
  }

  idleCount(key?: string): number {
    if (key !== undefined) return this.#idle.get(key)?.length ?? 0
    let total = 0
    for (const stack of this.#idle.values()) total += stack.length
    return total
  }

  /** Closes every idle connection (shutdown, tests). */
  closeAll(): void {
    for (const stack of this.#idle.values()) for (const idle of stack.splice(0)) idle.connection.close()
    this.#idle.clear()
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper)
    this.#sweeper = undefined
  }

  /** One timer for the whole pool, only while something is idle, so it never keeps a process alive. */
  #sweep(): void {
    if (this.#sweeper !== undefined) return
    const every = Math.max(50, this.#options.idleTimeoutMs / 2)
    this.#sweeper = setInterval(() => {
      const oldest = this.#options.now() - this.#options.idleTimeoutMs
      let left = 0
      for (const [key, stack] of this.#idle) {
        // Oldest sit at the bottom of the stack.
        let stale = 0
        while (stale < stack.length && stack[stale]!.sinceMs <= oldest) stale++
        for (const idle of stack.splice(0, stale)) idle.connection.close()
        if (stack.length === 0) this.#idle.delete(key)
        left += stack.length
      }
      if (left === 0) {
        clearInterval(this.#sweeper)
        this.#sweeper = undefined
      }
    }, every)
    ;(this.#sweeper as { unref?: () => void }).unref?.()
  }
}
