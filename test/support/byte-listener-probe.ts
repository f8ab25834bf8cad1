// Which server answers a plain listener on Bun: the byte-level listener (EDGEWAY_LISTENER=bytes)
// or Bun.serve. A suite's byte-listener row asks, so that falling back to Bun.serve in silence
// (the switch renamed, the listener judged not eligible) fails instead of passing for the wrong server.

import { RawConnection } from './raw-client.ts'

/**
 * An empty line before the request line: the byte listener skips it (RFC 9112 §2.2) and serves the
 * request; Bun.serve answers its own bare 400. Any route answers; the status is not looked at but for that.
 */
export async function servedByByteListener(port: number, path = '/'): Promise<boolean> {
  const connection = await RawConnection.open(port)
  try {
    connection.send(`\r\nGET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`)
    const answer = await connection.response(10_000)
    if (answer === 'closed') throw new Error('the listener closed without an answer')
    return !(answer.status === 400 && answer.headers.get('server') === undefined)
  } finally {
    connection.close()
  }
}
