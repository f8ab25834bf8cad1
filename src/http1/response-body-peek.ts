// What of a response body stream is there already, for the response writer (response-writer.ts):
// a read that settles at once is a body whose bytes have arrived (a local reply, an upstream body
// already read), and a body that ends within such reads can go out whole with its length, as
// Bun's server sends a buffer; one that does not is streamed as it comes.

import { joined } from './joined.ts'

/** Bytes of a body already there that are gathered to be sent whole, with a length (as response-body.ts's limit). */
export const GATHER_BYTES = 64 * 1024
const DECIMAL = /^\d{1,15}$/

type Read = Awaited<ReturnType<ReadableStreamDefaultReader<Uint8Array>['read']>>

/**
 * The read if it settles within a few microtask turns (a body whose bytes are there), undefined if
 * not. A read of queued bytes settles in one or two turns on Bun and Deno, a read through a TransformStream
 * (response-stream.ts's guard) in up to five: the race waits six.
 */
export function peek(read: Promise<Read>): Promise<Read | undefined> {
  return Promise.race([read, Promise.resolve(undefined).then().then().then().then().then()])
}

/** The gathered chunks as one (the chunk itself when there is one). */
export function joinedChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  return chunks.length === 1 ? chunks[0]! : joined(chunks, total)
}

/** The Headers' Content-Length when it is one plain decimal, else -1 (the body is then framed by chunks). */
export function declaredLength(headers: Headers): number {
  const value = headers.get('content-length')
  return value !== null && DECIMAL.test(value) ? Number(value) : -1
}
