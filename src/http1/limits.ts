// What the HTTP/1.1 client accepts from an upstream before calling it a protocol error: bounds
// that keep one hostile upstream from costing unbounded memory or CPU. Envoy's defaults where it has one.

/** A response head (status line, headers, blank line) larger than this is refused (Envoy: max_response_headers_kb 60). */
export const MAX_RESPONSE_HEAD_BYTES = 60 * 1024
/** Header lines in one response head (Envoy: max_headers_count 100). */
export const MAX_RESPONSE_HEADERS = 100
/** A chunk-size line with its extensions. */
export const MAX_CHUNK_LINE_BYTES = 4096
/** The trailer section after the last chunk (dropped, but it must end). */
export const MAX_TRAILER_BYTES = 60 * 1024
/** Interim (1xx) responses before the final one; an upstream sending them forever is broken. */
export const MAX_INTERIM_RESPONSES = 16
