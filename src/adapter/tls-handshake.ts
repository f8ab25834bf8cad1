// What a node:tls socket (of the HTTP/1.1 client's dial or of an HTTP/2 session) tells about its
// completed handshake, in the spelling Envoy's ssl.* counters use. The same calls on Bun and Deno;
// where a runtime does not know a value (Deno's and TLS 1.3's ephemeral key: `{}`) it is left out.

import type { TLSSocket } from 'node:tls'
import type { TlsHandshake } from '../stats/ssl-stats.ts'

/** OpenSSL's curve names as node:tls gives them, to BoringSSL's that Envoy prints. */
const CURVE_NAMES: Readonly<Record<string, string>> = { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521', secp224r1: 'P-224' }

type HandshakeSocket = Pick<TLSSocket, 'getProtocol' | 'getCipher' | 'isSessionReused'> & Partial<Pick<TLSSocket, 'getEphemeralKeyInfo'>>

export function handshakeOf(socket: HandshakeSocket): TlsHandshake {
  const key = socket.getEphemeralKeyInfo?.() as { name?: string } | null | undefined
  const curve = key?.name ? (CURVE_NAMES[key.name] ?? key.name) : undefined
  // No getPeerCertificate(): ~18 µs (Bun) to ~27 (Deno) a handshake for no_certificate, which a client never counts (ssl-stats.ts).
  return {
    version: socket.getProtocol() ?? undefined,
    cipher: socket.getCipher()?.name,
    curve,
    sessionReused: socket.isSessionReused(),
  }
}
