// x-request-id: keep a well-formed incoming id (Envoy keeps client ids unless told otherwise),
// replace a malformed or over-long one, generate a UUID v4 when there is none.

const VALID = /^[A-Za-z0-9._:=+/-]{1,128}$/

export function requestIdFor(incoming: string | null, generate: boolean): string | undefined {
  if (incoming !== null && VALID.test(incoming)) return incoming
  return generate ? crypto.randomUUID() : undefined
}
