// Envoy's access-log command operators that edgeway can answer, each compiled once into a getter
// over RequestInfo. A getter returns a number (typed in JSON formats, as Envoy types it), a string,
// or undefined for "not set" ('-' in text, null in JSON). Values fixed for the process
// (%HOSTNAME%, %ENVIRONMENT(X)%) are read at load and become literals.

import type { RequestInfo } from '../proxy/request-info.ts'
import { compileTimeFormat } from './start-time.ts'

export type Value = string | number | undefined
export type Getter = (info: RequestInfo) => Value

/** What an operator may read that is fixed for the listener. */
export type OperatorContext = {
  readonly hostname: string
  readonly env: (name: string) => string | undefined
  /** The listener terminates TLS (%REQ(:SCHEME)%). */
  readonly tls: boolean
  /** `ip:port` the listener is bound to. */
  readonly localAddress: string
  /** The downstream address as the listener trusts x-forwarded-for (use_remote_address, xff_num_trusted_hops). */
  readonly remoteAddress: (info: RequestInfo, peerIp: string) => string
}

export type Compiled = { readonly getter: Getter; readonly literal?: undefined; readonly peer?: boolean } | { readonly literal: Value; readonly getter?: undefined; readonly peer?: undefined }

type Operator = {
  /** `required`: %NAME(arg)%; `optional`: either form; `none`: %NAME% only. */
  readonly arg: 'none' | 'optional' | 'required'
  readonly compile: (arg: string | undefined, ctx: OperatorContext) => Compiled | string
}

const get = (getter: Getter, peer = false): Compiled => ({ getter, peer })
const simple = (getter: Getter): Operator => ({ arg: 'none', compile: () => get(getter) })
const nonEmpty = (value: string | undefined) => (value === '' ? undefined : value)

/** `ip:port` → `ip`, and `[v6]:port` → `v6`, as Envoy prints an address without its port. */
export function withoutPort(address: string): string {
  if (address.startsWith('[')) return address.slice(1, address.indexOf(']'))
  const colon = address.lastIndexOf(':')
  return colon > 0 && address.indexOf(':') === colon ? address.slice(0, colon) : address
}

const withPort = (ip: string, port: string) => (ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`)
const peerPort = (peer: string) => peer.slice(peer.lastIndexOf(':') + 1)

/** `%REQ(x-a?x-b)%`: the first header present; pseudo-headers from what the request recorded. */
function requestHeader(arg: string, ctx: OperatorContext, withoutQuery: boolean): Getter | string {
  const names = arg.split('?').map((name) => name.trim().toLowerCase())
  if (names.length > 2 || names.some((name) => name === '')) return `expects one header or "main?alternative", got "${arg}"`
  const getters = names.map((name): Getter => {
    switch (name) {
      case ':method':
        return (info) => info.method
      case ':path':
        return withoutQuery ? (info) => info.path.split('?', 1)[0] : (info) => info.path
      case ':authority':
      case 'host':
        return (info) => info.authority ?? undefined
      case ':scheme': {
        const scheme = ctx.tls ? 'https' : 'http'
        return () => scheme
      }
      case 'x-request-id':
        // The id the request was forwarded with: the client's, or the one generated for it.
        return (info) => info.requestId
      case 'x-envoy-original-path':
        // edgeway's :PATH is the path as the client sent it: there is no rewritten one to tell apart.
        return () => undefined
      default:
        return (info) => info.requestHeaders.get(name) ?? undefined
    }
  })
  const [main, alternative] = getters
  return alternative ? (info) => main!(info) ?? alternative(info) : main!
}

function responseHeader(arg: string): Getter | string {
  const names = arg.split('?').map((name) => name.trim().toLowerCase())
  if (names.length > 2 || names.some((name) => name === '')) return `expects one header or "main?alternative", got "${arg}"`
  return (info) => {
    for (const name of names) {
      const value = info.responseHeaders?.get(name)
      if (value !== null && value !== undefined) return value
    }
    return undefined
  }
}

const header = (read: (arg: string, ctx: OperatorContext) => Getter | string): Operator => ({
  arg: 'required',
  compile: (arg, ctx) => {
    const getter = read(arg!, ctx)
    return typeof getter === 'string' ? getter : get(getter)
  },
})

const OPERATORS: Readonly<Record<string, Operator>> = {
  START_TIME: {
    arg: 'optional',
    compile: (arg) => {
      const time = compileTimeFormat(arg)
      if ('error' in time) return time.error
      const format = time.format
      return get((info) => format(info.startTimeMs))
    },
  },
  REQ: header((arg, ctx) => requestHeader(arg, ctx, false)),
  REQ_WITHOUT_QUERY: header((arg, ctx) => requestHeader(arg, ctx, true)),
  RESP: header(responseHeader),
  PROTOCOL: simple((info) => info.protocol),
  RESPONSE_CODE: simple((info) => info.status),
  RESPONSE_CODE_DETAILS: simple((info) => info.details),
  // Envoy prints '-' for "no flags" in JSON too: it is the flags' own spelling of none.
  RESPONSE_FLAGS: simple((info) => info.flags || '-'),
  BYTES_RECEIVED: simple((info) => info.bytesReceived),
  BYTES_SENT: simple((info) => info.bytesSent),
  DURATION: simple((info) => info.durationMs),
  // Only a request without a body is known to be whole at the start; streamed bodies are not timed.
  REQUEST_DURATION: simple((info) => (info.requestHeaders.has('content-length') || info.requestHeaders.has('transfer-encoding') ? undefined : 0)),
  RESPONSE_DURATION: simple((info) => info.upstreamServiceTimeMs),
  RESPONSE_TX_DURATION: simple((info) => (info.upstreamServiceTimeMs === undefined ? undefined : Math.max(0, info.durationMs - info.upstreamServiceTimeMs))),
  UPSTREAM_HOST: simple((info) => info.upstreamHost),
  UPSTREAM_REMOTE_ADDRESS: simple((info) => info.upstreamHost),
  UPSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: simple((info) => (info.upstreamHost === undefined ? undefined : withoutPort(info.upstreamHost))),
  UPSTREAM_CLUSTER: simple((info) => info.upstreamCluster),
  UPSTREAM_REQUEST_ATTEMPT_COUNT: simple((info) => info.attempts),
  // The reason inside a connection failure's details: upstream_reset_before_response_started{connection_failure}.
  UPSTREAM_TRANSPORT_FAILURE_REASON: simple((info) => (info.flags.startsWith('UF') ? nonEmpty(/\{([^}]*)\}/.exec(info.details)?.[1]) : undefined)),
  ROUTE_NAME: simple((info) => nonEmpty(info.routeName)),
  DOWNSTREAM_REMOTE_ADDRESS: {
    arg: 'none',
    compile: (_arg, ctx) => get((info) => (info.downstreamPeer === undefined ? undefined : withPort(ctx.remoteAddress(info, withoutPort(info.downstreamPeer)), peerPort(info.downstreamPeer))), true),
  },
  DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT: {
    arg: 'none',
    compile: (_arg, ctx) => get((info) => (info.downstreamPeer === undefined ? undefined : ctx.remoteAddress(info, withoutPort(info.downstreamPeer))), true),
  },
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS: { arg: 'none', compile: () => get((info) => info.downstreamPeer, true) },
  DOWNSTREAM_DIRECT_REMOTE_ADDRESS_WITHOUT_PORT: { arg: 'none', compile: () => get((info) => (info.downstreamPeer === undefined ? undefined : withoutPort(info.downstreamPeer)), true) },
  DOWNSTREAM_LOCAL_ADDRESS: { arg: 'none', compile: (_arg, ctx) => ({ literal: ctx.localAddress }) },
  DOWNSTREAM_LOCAL_ADDRESS_WITHOUT_PORT: { arg: 'none', compile: (_arg, ctx) => ({ literal: withoutPort(ctx.localAddress) }) },
  // The runtimes do not report the TLS server name to JavaScript: always unset (as Envoy on plain text).
  REQUESTED_SERVER_NAME: simple(() => undefined),
  HOSTNAME: { arg: 'none', compile: (_arg, ctx) => ({ literal: ctx.hostname }) },
  ENVIRONMENT: { arg: 'required', compile: (arg, ctx) => ({ literal: nonEmpty(ctx.env(arg!)) }) },
}

/** Operators Envoy has that edgeway cannot answer: named in the error instead of "unknown". */
const NOT_KNOWN_HERE: Readonly<Record<string, string>> = {
  CONNECTION_ID: 'the runtimes do not number connections',
  UPSTREAM_LOCAL_ADDRESS: 'the runtimes do not tell the local address of an upstream connection',
  UPSTREAM_CONNECTION_ID: 'the runtimes do not number connections',
  DOWNSTREAM_TLS_VERSION: 'the runtimes do not report TLS details',
  DOWNSTREAM_PEER_SUBJECT: 'the runtimes do not report TLS details',
  UPSTREAM_WIRE_BYTES_SENT: 'wire bytes are not counted',
  UPSTREAM_WIRE_BYTES_RECEIVED: 'wire bytes are not counted',
}

export const OPERATOR_NAMES: readonly string[] = Object.keys(OPERATORS)

/** One operator; a string is the reason it cannot be. */
export function compileOperator(name: string, arg: string | undefined, ctx: OperatorContext): Compiled | string {
  const operator = OPERATORS[name]
  if (!operator) {
    const why = NOT_KNOWN_HERE[name]
    return why ? `%${name}% is not supported by edgeway (${why})` : `%${name}% is not a command operator edgeway knows (typo?, or not supported by edgeway)`
  }
  if (operator.arg === 'none' && arg !== undefined) return `%${name}% takes no argument`
  if (operator.arg === 'required' && (arg === undefined || arg === '')) return `%${name}(...)% needs an argument`
  const compiled = operator.compile(arg, ctx)
  return typeof compiled === 'string' ? `%${name}(${arg})%: ${compiled}` : compiled
}
