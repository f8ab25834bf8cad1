// `transport_socket` on a filter chain (downstream) or a cluster (upstream). A listener's TLS
// (DownstreamTlsContext) becomes the compact listener's `tls:`, a cluster's (UpstreamTlsContext)
// the compact cluster's `tls:`; both use Envoy's names one level flatter.

import { extension } from './extensions.ts'
import { DOWNSTREAM_TLS, UPSTREAM_COMMON_TLS, UPSTREAM_TLS, UPSTREAM_VALIDATION } from './fields.ts'
import { at, checkKeys, idx, list, mapping, type Obj } from './reader.ts'
import type { Tx } from './translate.ts'

/** The compact `tls` block (or undefined for plain TCP / on errors); `compactPath` is the listener's or cluster's. */
export function readTransportSocket(tx: Tx, value: unknown, path: string, side: 'downstream' | 'upstream', compactPath = ''): Obj | undefined {
  const socket = mapping(tx.ctx, value, path)
  if (!socket) return undefined
  if (socket.name === 'envoy.transport_sockets.raw_buffer' || socket.name === 'raw_buffer') return undefined
  const ext = extension(tx.ctx, socket, path, ['tls'], 'transport socket')
  if (!ext) return undefined
  if (side === 'upstream') return readUpstreamTls(tx, ext.body, ext.bodyPath, compactPath)
  const context = checkKeys(tx.ctx, ext.body, ext.bodyPath, DOWNSTREAM_TLS)
  const commonPath = at(ext.bodyPath, 'common_tls_context')
  const common = mapping(tx.ctx, context.common_tls_context ?? {}, commonPath) ?? {}
  if (context.common_tls_context === undefined) tx.ctx.error(commonPath, 'is required (tls_certificates)')
  tx.paths.link(`${compactPath}.tls`, commonPath)
  tx.paths.link(`${compactPath}.tls.require_client_certificate`, at(ext.bodyPath, 'require_client_certificate'))
  return { ...common, ...(context.require_client_certificate !== undefined && { require_client_certificate: context.require_client_certificate }) }
}

/** UpstreamTlsContext onto the compact cluster `tls`: sni, client certificate, CA and SAN matchers, ALPN. */
function readUpstreamTls(tx: Tx, body: Obj, bodyPath: string, compactPath: string): Obj {
  const { ctx } = tx
  const context = checkKeys(ctx, body, bodyPath, UPSTREAM_TLS)
  const out: Obj = {}
  tx.paths.link(`${compactPath}.tls`, bodyPath)
  if (context.sni !== undefined) out.sni = context.sni
  const commonPath = at(bodyPath, 'common_tls_context')
  const common = context.common_tls_context === undefined ? undefined : mapping(ctx, context.common_tls_context, commonPath)
  if (!common) return out
  checkKeys(ctx, common, commonPath, UPSTREAM_COMMON_TLS)
  if (common.alpn_protocols !== undefined) {
    out.alpn_protocols = common.alpn_protocols
    tx.paths.link(`${compactPath}.tls.alpn_protocols`, at(commonPath, 'alpn_protocols'))
  }
  if (common.tls_certificates !== undefined) {
    out.tls_certificates = common.tls_certificates
    tx.paths.link(`${compactPath}.tls.tls_certificates`, at(commonPath, 'tls_certificates'))
  }
  if (common.validation_context !== undefined) {
    const validationPath = at(commonPath, 'validation_context')
    const validation = mapping(ctx, common.validation_context, validationPath)
    if (validation) {
      checkKeys(ctx, validation, validationPath, UPSTREAM_VALIDATION)
      tx.paths.link(`${compactPath}.tls.validation_context`, validationPath)
      if (validation.trusted_ca === undefined) ctx.error(at(validationPath, 'trusted_ca'), 'is required: edgeway verifies upstreams against a CA it is given')
      // Both spellings become one list of string matchers; typed ones match any SAN type edgeway checks (DNS, IP, URI).
      const typedPath = at(validationPath, 'match_typed_subject_alt_names')
      const typed = validation.match_typed_subject_alt_names === undefined ? [] : list(ctx, validation.match_typed_subject_alt_names, typedPath).map((entry, i) => mapping(ctx, entry, idx(typedPath, i))?.matcher)
      const matchers = [...(validation.match_subject_alt_names === undefined ? [] : list(ctx, validation.match_subject_alt_names, at(validationPath, 'match_subject_alt_names'))), ...typed]
      out.validation_context = { trusted_ca: validation.trusted_ca, ...(matchers.length && { match_subject_alt_names: matchers }) }
    }
  }
  return out
}
