// How the byte listener's response writer reads a Response's fields on Bun (a FieldWalk,
// src/http1/response-head-bytes.ts): in the order Bun.serve writes them, not Headers.forEach's.
// forEach sorts by name (the Fetch standard), which would move every field the path placed with
// care (the proxy's server and service time where the upstream had its own, else after its
// fields: test/integration/forwarded-head-parity.test.ts). Bun's Headers#toJSON keeps the order
// the fields were set in, the names Bun knows first, as Bun.serve writes them, and costs less
// than forEach (~390 vs ~520 ns over nine fields); Set-Cookie comes as an array, written first as
// Bun.serve does.

import type { FieldWalk } from '../http1/response-head-bytes.ts'

type BunHeaders = Headers & { toJSON?: () => Record<string, string | string[]> }

export const bunResponseFields: FieldWalk = (headers, visit) => {
  const toJSON = (headers as BunHeaders).toJSON
  if (typeof toJSON !== 'function') return headers.forEach(visit)
  const fields = toJSON.call(headers)
  const cookies = fields['set-cookie']
  if (cookies !== undefined) for (const cookie of typeof cookies === 'string' ? [cookies] : cookies) visit(cookie, 'set-cookie')
  for (const name in fields) {
    if (name === 'set-cookie') continue
    const value = fields[name]!
    visit(typeof value === 'string' ? value : value.join(', '), name)
  }
}
