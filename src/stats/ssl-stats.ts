// A TLS cluster's `cluster.<name>.ssl.*` (Envoy's ContextImpl stats): what each upstream handshake
// reports, counted into the fixed counters and into per-value ones (`ssl.versions.TLSv1.3`).
// Per-value names come only from the lists below, as Envoy's builtin stat names do; anything else
// counts in Envoy's fallback (`ssl.ciphers.unknown_ssl_cipher`), so an upstream cannot grow the store.

import { SSL_COUNTERS, type SslCounter } from './stat-names.ts'

/** What a completed handshake tells (node:tls getProtocol, getCipher().name, getEphemeralKeyInfo). */
export type TlsHandshake = {
  readonly version?: string
  /** OpenSSL's name, as Envoy prints it (`ECDHE-ECDSA-AES128-GCM-SHA256`, `TLS_AES_128_GCM_SHA256`). */
  readonly cipher?: string
  /** Envoy's (BoringSSL's) group name: `X25519`, `P-256`. */
  readonly curve?: string
  readonly sessionReused: boolean
}

/** Why a handshake failed, as Envoy counts it; `connection_error` is a TLS failure other than verification. */
export type TlsFailure = 'connection_error' | 'fail_verify_error' | 'fail_verify_san' | 'fail_verify_no_cert'

/** Where a dial reports its handshake: the cluster's ssl.* for one of its endpoints, or nothing (health checks). */
export interface TlsHandshakeReport {
  tlsHandshake(handshake: TlsHandshake): void
  tlsFailed(failure: TlsFailure): void
}

type Counter = { inc(): void }

// BoringSSL's and OpenSSL's names for what node:tls negotiates as a client (TLS 1.2 and 1.3 suites
// of either library's default list, plus the older ones a TLS 1.2 upstream may still pick).
const CIPHERS = [
  'TLS_AES_128_GCM_SHA256',
  'TLS_AES_256_GCM_SHA384',
  'TLS_CHACHA20_POLY1305_SHA256',
  'TLS_AES_128_CCM_SHA256',
  'ECDHE-ECDSA-AES128-GCM-SHA256',
  'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384',
  'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305',
  'ECDHE-RSA-CHACHA20-POLY1305',
  'ECDHE-PSK-CHACHA20-POLY1305',
  'ECDHE-ECDSA-AES128-SHA256',
  'ECDHE-RSA-AES128-SHA256',
  'ECDHE-ECDSA-AES256-SHA384',
  'ECDHE-RSA-AES256-SHA384',
  'ECDHE-ECDSA-AES128-SHA',
  'ECDHE-RSA-AES128-SHA',
  'ECDHE-PSK-AES128-CBC-SHA',
  'ECDHE-ECDSA-AES256-SHA',
  'ECDHE-RSA-AES256-SHA',
  'ECDHE-PSK-AES256-CBC-SHA',
  'DHE-RSA-AES128-GCM-SHA256',
  'DHE-RSA-AES256-GCM-SHA384',
  'DHE-RSA-CHACHA20-POLY1305',
  'AES128-GCM-SHA256',
  'AES256-GCM-SHA384',
  'AES128-SHA256',
  'AES256-SHA256',
  'AES128-SHA',
  'AES256-SHA',
  'PSK-AES128-CBC-SHA',
  'PSK-AES256-CBC-SHA',
  'DES-CBC3-SHA',
]
const VERSIONS = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3']
const CURVES = ['P-224', 'P-256', 'P-384', 'P-521', 'X25519', 'X25519MLKEM768', 'X25519Kyber768Draft00']

/** Each per-value family: its known values and Envoy's fallback name for the rest. */
const FAMILIES = {
  ciphers: { known: CIPHERS, unknown: 'unknown_ssl_cipher' },
  versions: { known: VERSIONS, unknown: 'unknown_ssl_version' },
  curves: { known: CURVES, unknown: 'unknown_ssl_curve' },
} as const
type Family = keyof typeof FAMILIES

export class SslStats implements TlsHandshakeReport {
  readonly #counters: Record<SslCounter, Counter>

  /** `get` makes (or finds) a counter by full name; `prefix` is `cluster.<name>.ssl.`. */
  constructor(
    private readonly prefix: string,
    private readonly get: (name: string) => Counter,
  ) {
    this.#counters = Object.fromEntries(SSL_COUNTERS.map((name) => [name, get(prefix + name)])) as Record<SslCounter, Counter>
  }

  tlsHandshake(handshake: TlsHandshake): void {
    this.#counters.handshake.inc()
    if (handshake.sessionReused) this.#counters.session_reused.inc()
    // no_certificate (a peer that presented none) stays 0: a client offering only certificate-authenticated
    // suites (node:tls's defaults exclude aNULL and PSK) never completes a handshake without one.
    if (handshake.version !== undefined) this.#value('versions', handshake.version)
    if (handshake.cipher !== undefined) this.#value('ciphers', handshake.cipher)
    if (handshake.curve !== undefined) this.#value('curves', handshake.curve)
  }

  tlsFailed(failure: TlsFailure): void {
    this.#counters[failure].inc()
  }

  #value(family: Family, value: string): void {
    const { known, unknown } = FAMILIES[family]
    this.get(`${this.prefix}${family}.${(known as readonly string[]).includes(value) ? value : unknown}`).inc()
  }
}
