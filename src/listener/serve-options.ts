// What each socket asks of the runtime's serve(): idle timeout, body cap, reusePort, for proxy
// listeners (from their config) and for the admin listener (fixed).

import type { ListenerConfig } from '../config/model.ts'

export type ListenOptions = { idleTimeoutSeconds: number; maxRequestBodyBytes: number; reusePort: boolean; maxRequestHeaderBytes?: number }

export function listenerServeOptions(listener: ListenerConfig, reusePort = false): ListenOptions {
  return {
    idleTimeoutSeconds: listener.idleTimeoutMs / 1000,
    // No runtime cap: edgeway answers an oversized body itself (413 with its headers and a log line).
    maxRequestBodyBytes: 0,
    maxRequestHeaderBytes: listener.maxRequestHeadersBytes,
    reusePort,
  }
}

/** The admin listener (a worker's or the primary's): one process owns its port, bodies are small. */
export const ADMIN_SERVE_OPTIONS: ListenOptions = { idleTimeoutSeconds: 60, maxRequestBodyBytes: 1 << 20, reusePort: false }
