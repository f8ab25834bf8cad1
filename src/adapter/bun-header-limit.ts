// Bun.serve's header limit: Bun's parser answers 431 itself (no log line, no counter) past a
// process-wide limit, 16 KiB unless bun's `--max-http-header-size` said otherwise. Twice the
// listener's limit leaves the 431s up to that to edgeway; heads beyond it still get Bun's own
// (README limits).
//
// The only run-time setter is node:http's maxHeaderSize, and loading node:http keeps ~1.4 MiB of
// Bun's node compatibility code resident (bench/README "Stop 28 — rss11"). bin/edgeway passes the
// flag for the default limits, so node:http loads only for a config whose limit is above it.

/**
 * The flag bin/edgeway starts bun with: twice the default max_request_headers_kb (60 KiB). Launchers
 * in TypeScript use this; the shell, JSON and YAML ones carry the same text (a test checks them).
 */
export const HEADER_LIMIT_FLAG = '--max-http-header-size=122880'

/** Bun's limit when its command line does not set one. */
const BUN_DEFAULT_HEADER_LIMIT = 16 * 1024

/** The limit bun's own command line set (`--max-http-header-size=N` or `... N`), or Bun's default. */
export function commandLineHeaderLimit(execArgv: readonly string[]): number {
  for (let i = 0; i < execArgv.length; i++) {
    const arg = execArgv[i]!
    const value = arg.startsWith('--max-http-header-size=') ? arg.slice(arg.indexOf('=') + 1) : arg === '--max-http-header-size' ? execArgv[i + 1] : undefined
    const bytes = Number(value)
    if (value !== undefined && Number.isInteger(bytes) && bytes > 0) return bytes
  }
  return BUN_DEFAULT_HEADER_LIMIT
}

// What this process's limit is known to be: the command line's, then whatever the setter left.
let knownLimit: number | undefined

/** Raises the process's limit to twice `bytes` when it is lower; loads node:http only then. */
export async function admitHeadersUpTo(bytes: number | undefined): Promise<void> {
  if (bytes === undefined) return
  knownLimit ??= commandLineHeaderLimit(process.execArgv)
  if (knownLimit >= 2 * bytes) return
  const http = (await import('node:http')).default as { maxHeaderSize: number }
  if (http.maxHeaderSize < 2 * bytes) http.maxHeaderSize = 2 * bytes
  knownLimit = http.maxHeaderSize
}
