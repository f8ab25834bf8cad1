// Binds a listener's socket through the runtime port; a bind failure becomes one ListenError line
// naming the socket and the listener (main.ts prints it and exits 1, no stack trace).

import type { Runtime, ServerHandle } from '../runtime.ts'
import type { ListenOptions } from './serve-options.ts'

/** A listener could not bind: names the socket and the listener, for a one-line exit message. */
export class ListenError extends Error {
  override name = 'ListenError'
}

export async function listen(
  runtime: Runtime,
  name: string,
  hostname: string,
  port: number,
  options: ListenOptions,
  handler: Parameters<Runtime['serve']>[1],
): Promise<ServerHandle> {
  try {
    return await runtime.serve({ hostname, port, ...options }, handler)
  } catch (error) {
    const text = `${(error as Error)?.message ?? error} ${(error as { code?: string })?.code ?? ''}`
    const why = /in use|EADDRINUSE|AddrInUse/i.test(text)
      ? 'address already in use'
      : /EACCES|permission/i.test(text)
        ? 'permission denied'
        : /EADDRNOTAVAIL|not available|cannot assign/i.test(text)
          ? 'address not available on this machine'
          : text.trim()
    throw new ListenError(`cannot listen on ${hostname}:${port} for ${name === 'admin' ? 'the admin listener' : `listener "${name}"`}: ${why}`)
  }
}
