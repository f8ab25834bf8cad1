// Keeps the listener ports of one edgeway its own. Its workers share each port with SO_REUSEPORT,
// which also lets any other process that sets it (a second edgeway, nginx with `reuseport`) join
// the port silently and take a share of the traffic. A bind *without* SO_REUSEPORT fails on a port
// anyone holds, with or without the flag, so the primary probes each port that way before its
// workers bind it: a port held by another process is one ListenError, exit 1.

import type { ListenerConfig } from '../config/model.ts'
import type { Runtime } from '../runtime.ts'
import { listen } from './listen.ts'
import { listenerServeOptions } from './serve-options.ts'

const NEVER_SERVED = () => new Response(null, { status: 503 })

/**
 * Throws the ListenError of the first listener whose port is taken. Port 0 is skipped: the
 * kernel hands worker 0 a port nobody holds. The probe socket is closed before the workers bind;
 * the gap is one close and one bind, so only two edgeways started in the same millisecond could
 * both pass it.
 */
export async function assertPortsFree(runtime: Runtime, listeners: readonly ListenerConfig[]): Promise<void> {
  for (const listener of listeners) {
    if (listener.port === 0) continue
    const probe = await listen(runtime, listener.name, listener.address, listener.port, listenerServeOptions(listener, false), NEVER_SERVED)
    await probe.close(true)
  }
}
