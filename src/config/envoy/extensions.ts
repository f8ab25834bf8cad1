// Envoy's extensions (filters, tracers, access loggers) are named twice: by `name` and by the
// `@type` of their `typed_config` (v3), or given a v2 struct `config:`. This resolves both
// spellings of the ones edgeway implements and rejects the rest by name.

import { at, type Ctx, isObj, type Obj } from './reader.ts'

export type ExtensionKind = 'hcm' | 'router' | 'fault' | 'zipkin' | 'file_log' | 'stdout_log' | 'stderr_log' | 'tls' | 'http_protocol_options'

type Known = { readonly kind: ExtensionKind; readonly names: readonly string[]; readonly types: readonly string[] }

const KNOWN: readonly Known[] = [
  {
    kind: 'hcm',
    names: ['envoy.filters.network.http_connection_manager', 'envoy.http_connection_manager'],
    types: ['envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', 'envoy.config.filter.network.http_connection_manager.v2.HttpConnectionManager'],
  },
  { kind: 'fault', names: ['envoy.filters.http.fault', 'envoy.fault'], types: ['envoy.extensions.filters.http.fault.v3.HTTPFault', 'envoy.config.filter.http.fault.v2.HTTPFault'] },
  { kind: 'router', names: ['envoy.filters.http.router', 'envoy.router'], types: ['envoy.extensions.filters.http.router.v3.Router', 'envoy.config.filter.http.router.v2.Router'] },
  { kind: 'zipkin', names: ['envoy.tracers.zipkin', 'envoy.zipkin'], types: ['envoy.config.trace.v3.ZipkinConfig', 'envoy.config.trace.v2.ZipkinConfig'] },
  {
    kind: 'file_log',
    names: ['envoy.access_loggers.file', 'envoy.file_access_log'],
    types: ['envoy.extensions.access_loggers.file.v3.FileAccessLog', 'envoy.config.accesslog.v2.FileAccessLog', 'envoy.config.accesslog.v3.FileAccessLog'],
  },
  { kind: 'stdout_log', names: ['envoy.access_loggers.stdout'], types: ['envoy.extensions.access_loggers.stream.v3.StdoutAccessLog'] },
  { kind: 'stderr_log', names: ['envoy.access_loggers.stderr'], types: ['envoy.extensions.access_loggers.stream.v3.StderrAccessLog'] },
  {
    kind: 'tls',
    names: ['envoy.transport_sockets.tls', 'tls'],
    types: ['envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext', 'envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', 'envoy.api.v2.auth.UpstreamTlsContext', 'envoy.api.v2.auth.DownstreamTlsContext'],
  },
  { kind: 'http_protocol_options', names: ['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'], types: ['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'] },
]

const TYPE_PREFIX = 'type.googleapis.com/'
const TYPED_STRUCTS = ['udpa.type.v1.TypedStruct', 'xds.type.v3.TypedStruct']

export type Extension = {
  readonly kind: ExtensionKind
  readonly name: string
  /** The extension's own settings (typed_config without `@type`, or the v2 `config:` struct). */
  readonly body: Obj
  readonly bodyPath: string
}

/**
 * Resolves `{ name, typed_config | config }` at `path` to a kind edgeway implements, among
 * `allowed`; anything else is "not supported by edgeway" with its name.
 */
export function extension(ctx: Ctx, entry: Obj, path: string, allowed: readonly ExtensionKind[], what: string): Extension | undefined {
  const name = typeof entry.name === 'string' ? entry.name : ''
  if (entry.typed_config !== undefined && entry.config !== undefined) {
    ctx.error(path, 'use typed_config or config, not both')
    return undefined
  }
  const key = entry.typed_config !== undefined ? 'typed_config' : 'config'
  let bodyPath = at(path, key)
  let raw = entry[key] ?? {}
  if (!isObj(raw)) {
    ctx.error(bodyPath, 'expected a mapping')
    return undefined
  }
  let type = typeof raw['@type'] === 'string' ? stripPrefix(raw['@type']) : undefined
  if (type !== undefined && TYPED_STRUCTS.includes(type)) {
    // TypedStruct carries the real type in type_url and the settings in value.
    type = typeof raw.type_url === 'string' ? stripPrefix(raw.type_url) : undefined
    raw = isObj(raw.value) ? raw.value : {}
    bodyPath = at(bodyPath, 'value')
  }
  const known = type !== undefined ? KNOWN.find((k) => k.types.includes(type)) : KNOWN.find((k) => k.names.includes(name))
  if (!known || !allowed.includes(known.kind)) {
    if (type !== undefined) ctx.error(at(at(path, key), '@type'), `${what} "${type}" is not supported by edgeway`)
    else if (name) ctx.error(at(path, 'name'), `${what} "${name}" is not supported by edgeway`)
    else ctx.error(path, `${what} needs a name or a typed_config with "@type"`)
    return undefined
  }
  const { '@type': _type, ...body } = raw as Obj
  return { kind: known.kind, name: name || known.names[0]!, body, bodyPath }
}

/** The kind a bare `@type` names (typed_per_filter_config entries carry no separate name). */
export function kindOfType(type: string): ExtensionKind | undefined {
  const bare = stripPrefix(type)
  return KNOWN.find((k) => k.types.includes(bare))?.kind
}

function stripPrefix(type: string): string {
  return type.startsWith(TYPE_PREFIX) ? type.slice(TYPE_PREFIX.length) : type
}
