// A downstream connection as the byte-level listener's connection loop sees it: the client's byte
// pipe (transport.ts), plus what only a server side needs. A runtime adapter makes one per accepted
// socket (src/adapter/bun-listen.ts); the loop (src/http1/server-connection.ts) reads requests
// from its data events and writes responses through write(), pausing it while a request body's
// reader is full or while a request is in flight (one request at a time: pipelined heads wait).

import type { Transport } from './transport.ts'

export interface ServerTransport extends Transport {
  /** Closes once what write() queued has gone to the kernel (a response with `connection: close`). */
  end(): void
  /** The peer, as the runtime reports it ('' and 0 when it cannot). */
  readonly remoteAddress: string
  readonly remotePort: number
}
