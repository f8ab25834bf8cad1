// A child-process upstream that records how it was reached: HTTP version, ALPN, the SNI name and
// the client certificate's subject, answered as JSON (`.../big`: 1 MiB of x instead). `tls` serves h2 and HTTP/1.1 over TLS
// (node:http2 createSecureServer, allowHTTP1); `h2c` serves prior-knowledge HTTP/2 on plain text.
// argv: <tls|h2c> [certificate key [client-ca]]; prints its port on stdout.

import { createSecureServer, createServer, type Http2ServerRequest, type Http2ServerResponse } from 'node:http2'
import { readFileSync } from 'node:fs'
import type { TLSSocket } from 'node:tls'

const [mode, cert, key, clientCa] = process.argv.slice(2)

/** Every request's record; GET /__seen answers them all (health checks included). */
const seen: unknown[] = []

function answer(request: Http2ServerRequest, response: Http2ServerResponse): void {
  if (request.url === '/__seen') return void response.end(JSON.stringify(seen))
  // 1 MiB, so a response spans many HTTP/2 flow-control windows.
  if (request.url?.endsWith('/big')) return void response.end(Buffer.alloc(1024 * 1024, 'x'))
  const socket = request.socket as TLSSocket
  const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    response.setHeader('content-type', 'application/json')
    const record = {
      httpVersion: request.httpVersion,
      alpn: socket.alpnProtocol ?? null,
      sni: socket.servername || null,
      clientCertificate: peer?.subject?.CN ?? null,
      method: request.method,
      path: request.url,
      authority: request.headers[':authority'] ?? request.headers.host,
      bodyBytes: Buffer.concat(chunks).byteLength,
    }
    seen.push(record)
    response.end(JSON.stringify(record))
  })
}

const server =
  mode === 'tls'
    ? createSecureServer({ cert: readFileSync(cert!), key: readFileSync(key!), allowHTTP1: true, ...(clientCa && { ca: readFileSync(clientCa), requestCert: true, rejectUnauthorized: false }) }, answer)
    : createServer({}, answer)
server.listen(0, '127.0.0.1', () => console.log(`port ${(server.address() as { port: number }).port}`))
process.on('SIGTERM', () => process.exit(0))
