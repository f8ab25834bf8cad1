// The bound listener sockets of one process, by listener name. Each socket serves through a slot
// whose handler a reload swaps (new requests take the new generation's routes at once, requests
// in flight keep the handler they started on); listeners are added, rebound or drained by name.

import type { ListenerConfig } from '../config/model.ts'
import type { FetchHandler, Runtime, ServerHandle } from '../runtime.ts'
import { listen } from './listen.ts'
import { listenerServeOptions } from './serve-options.ts'

type Slot = { config: ListenerConfig; handler: FetchHandler; readonly handle: ServerHandle }

export class ListenerSet {
  readonly #slots = new Map<string, Slot>()

  constructor(
    private readonly runtime: Runtime,
    private readonly reusePort: boolean,
  ) {}

  names(): string[] {
    return [...this.#slots.keys()]
  }

  has(name: string): boolean {
    return this.#slots.has(name)
  }

  config(name: string): ListenerConfig | undefined {
    return this.#slots.get(name)?.config
  }

  /** Bound port of each listener (`port: 0` resolved). */
  ports(): Map<string, number> {
    return new Map([...this.#slots].map(([name, slot]) => [name, slot.handle.port]))
  }

  /** Binds the listener's socket (ListenError on failure); requests go to `handler` until swapped. */
  async bind(config: ListenerConfig, handler: FetchHandler): Promise<number> {
    let slot: Slot | undefined
    const handle = await listen(this.runtime, config.name, config.address, config.port, listenerServeOptions(config, this.reusePort), (request, conn) =>
      slot!.handler(request, conn),
    )
    slot = { config, handler, handle }
    this.#slots.set(config.name, slot)
    return handle.port
  }

  /**
   * A new socket for a listener whose address changed; the old one stops accepting and drains.
   * When the new address overlaps the old one (same port), the old socket is closed first.
   */
  async rebind(config: ListenerConfig, handler: FetchHandler, graceMs: number): Promise<void> {
    const old = this.#slots.get(config.name)
    this.#slots.delete(config.name)
    try {
      await this.bind(config, handler)
    } catch (error) {
      if (!old) throw error
      await old.handle.close(false).catch(() => undefined)
      await this.bind(config, handler)
    }
    if (old) void closeWithin(old.handle, graceMs)
  }

  /** The next requests of this listener go to `handler`; the socket stays as it is. */
  swap(config: ListenerConfig, handler: FetchHandler): void {
    const slot = this.#slots.get(config.name)
    if (!slot) return
    slot.config = config
    slot.handler = handler
  }

  /**
   * Stops accepting on the listener's socket and lets what is in flight (bodies, streams) finish
   * for at most `graceMs`, then closes what is left. The name is free again at once.
   */
  async close(name: string, graceMs: number): Promise<void> {
    const slot = this.#slots.get(name)
    if (!slot) return
    this.#slots.delete(name)
    await closeWithin(slot.handle, graceMs)
  }

  async closeAll(graceMs: number): Promise<void> {
    await Promise.all(this.names().map((name) => this.close(name, graceMs)))
  }
}

async function closeWithin(handle: ServerHandle, graceMs: number): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, graceMs))))
  const graceful = handle.close(false).catch(() => undefined)
  if ((await Promise.race([graceful, late])) === 'late') await handle.close(true).catch(() => undefined)
  else await handle.close(true).catch(() => undefined) // idle keep-alive connections (Bun and Deno leave them open)
  clearTimeout(timer)
}
