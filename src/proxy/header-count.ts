// The request's header fields against the listener's max_request_headers_count (Envoy's
// max_headers_count, 100 by default, 431 past it), checked on arrival at next to no cost: the
// arrival walk's size count already bounds how many fields there can be, so a head too small to
// hold more than the limit (curl's, wrk's, a health checker's) is never counted at all.

/** The fewest bytes one field adds to the arrival walk's size: a one-letter name, an empty value, and 4. */
const FIELD_MIN_BYTES = 5

/** Whether fields of `headerBytes` (the arrival walk's size of them) can number more than `limit`. */
export function mayHoldMoreFields(headerBytes: number, limit: number): boolean {
  return headerBytes >= FIELD_MIN_BYTES * (limit + 1)
}

/** The fields `headers` holds, as forEach lists them: for a caller without the runtime's own count (tests, bench steps). */
export function countFields(headers: Headers): number {
  let count = 0
  headers.forEach(() => count++)
  return count
}
