// The TLS part of the model: a listener's certificates and client-certificate policy, and what
// admin /certs shows of a cluster's upstream TLS. Read and checked once at config load (tls-load.ts).

export type DownstreamTlsConfig = {
  /** Clients that name no (or an unknown) server get the first certificate without server names, else the first. */
  readonly certificates: readonly TlsCertificateConfig[]
  readonly alpnProtocols: readonly ('h2' | 'http/1.1')[]
  readonly minVersion: TlsVersion
  readonly maxVersion: TlsVersion
  readonly requireClientCertificate: boolean
  /** PEM of the CAs client certificates are verified against. */
  readonly trustedCaPem: string | undefined
  /** The first CA certificate in trustedCaPem, for /certs. */
  readonly trustedCa: { readonly source: string; readonly details: CertificateDetails } | undefined
}

export type TlsVersion = 'TLSv1_2' | 'TLSv1_3'

export type TlsCertificateConfig = {
  readonly certificateChainPem: string
  readonly privateKeyPem: string
  /** SNI names; empty = any name. */
  readonly serverNames: readonly string[]
  /** File path of the chain, or `<inline>`, for /certs. */
  readonly source: string
  readonly details: CertificateDetails
}

/** What admin /certs shows of a certificate (read once at config load). */
export type CertificateDetails = {
  readonly subject: string
  readonly serialNumber: string
  readonly subjectAltNames: readonly string[]
  readonly validFromMs: number
  readonly expiresAtMs: number
}

export type UpstreamTlsSources = {
  readonly trustedCa: { readonly source: string; readonly details: CertificateDetails } | undefined
  readonly clientCertificate: { readonly source: string; readonly details: CertificateDetails } | undefined
  readonly alpnProtocols: readonly ('h2' | 'http/1.1')[]
}
