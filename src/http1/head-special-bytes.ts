// The bytes a head scan must stop at, as a table by byte value: shared by the request-head scan
// (request-head-scan.ts) and the response-head scan (codec.ts), whose rules for them are the same.

/**
 * 1 for the bytes no HTTP/1.1 head may hold bare (RFC 9112 §2.2, §5): control bytes but HTAB, and
 * DEL; CR and LF are among them so the scan can check each is part of a CRLF. A table lookup per
 * byte lets every other byte through with one load and compare (Bun: a 431-byte browser request
 * head's scan ~600 -> ~290 ns against range compares; Deno ~390 -> ~340).
 */
export const HEAD_SPECIAL_BYTES = new Uint8Array(256)
for (let b = 0; b < 0x20; b++) if (b !== 9) HEAD_SPECIAL_BYTES[b] = 1
HEAD_SPECIAL_BYTES[0x7f] = 1
