// Floor peer on Deno, the least a JS proxy on Deno can do per request: Deno.listen downstream,
// one Deno.connect upstream connection per downstream connection, each side a read loop (Deno's
// connections are pull-based: one promise a read). The request head is re-written from its parsed
// fields plus an x-request-id, the response bytes are copied back as they arrive. No Request,
// Headers or Response, no pool, routing, stats or logs (floor-listen-bytes.ts is the Bun twin).

import { BAD_REQUEST, concat, readRequestHead } from './floor-head.ts'

type Conn = { read(into: Uint8Array): Promise<number | null>; write(bytes: Uint8Array): Promise<number>; close(): void; setNoDelay(on?: boolean): void }
declare const Deno: {
  listen(options: { hostname: string; port: number }): AsyncIterable<Conn>
  connect(options: { hostname: string; port: number }): Promise<Conn>
  env: { get(name: string): string | undefined }
}

const UPSTREAM_PORT = Number(Deno.env.get('UPSTREAM_PORT'))
const encoder = new TextEncoder()

async function writeAll(conn: Conn, bytes: Uint8Array): Promise<void> {
  for (let at = 0; at < bytes.byteLength; ) at += await conn.write(at === 0 ? bytes : bytes.subarray(at))
}

/** The upstream's bytes to the client as they come: wrk reads by content-length, so no framing is needed here. */
async function copy(from: Conn, to: Conn): Promise<void> {
  const buffer = new Uint8Array(64 * 1024)
  for (;;) {
    const n = await from.read(buffer)
    if (n === null) return
    await writeAll(to, buffer.subarray(0, n))
  }
}

/** Either side's end closes both; the second close of a conn throws BadResource. */
function closeQuietly(conn: Conn): void {
  try {
    conn.close()
  } catch {
    // already closed
  }
}

async function serve(down: Conn): Promise<void> {
  down.setNoDelay(true)
  const up = await Deno.connect({ hostname: '127.0.0.1', port: UPSTREAM_PORT })
  up.setNoDelay(true)
  const back = copy(up, down).catch(() => {}).finally(() => closeQuietly(down))
  let buffered: Uint8Array | undefined
  try {
    for (;;) {
      const chunk = new Uint8Array(16 * 1024)
      const n = await down.read(chunk)
      if (n === null) break
      buffered = concat(buffered, chunk.subarray(0, n))
      while (buffered) {
        const head = readRequestHead(buffered)
        if (head === 'bad') {
          await writeAll(down, encoder.encode(BAD_REQUEST))
          return
        }
        if (!head) break
        buffered = head.length === buffered.byteLength ? undefined : buffered.subarray(head.length)
        let text = `${head.method} ${head.target} HTTP/1.1\r\n`
        for (let i = 0; i < head.names.length; i++) text += `${head.names[i]}: ${head.values[i]}\r\n`
        await writeAll(up, encoder.encode(`${text}x-request-id: ${crypto.randomUUID()}\r\n\r\n`))
      }
    }
  } catch {
    // the client left
  } finally {
    closeQuietly(up)
    await back
  }
}

for await (const conn of Deno.listen({ hostname: '127.0.0.1', port: Number(Deno.env.get('PORT')) })) void serve(conn)
