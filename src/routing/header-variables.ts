// The standard variable lookup for header templates, built from what the proxy knows per request.

import type { VariableLookup } from './header-template.ts'
import { stripPort } from './virtual-host-index.ts'

export type HeaderVariableContext = {
  readonly requestHeaders: { get(name: string): string | null }
  /** `ip:port` of the downstream peer. */
  readonly downstreamRemoteAddress: string
  /** `ip:port` of the endpoint the attempt went to; undefined before one is chosen. */
  readonly upstreamRemoteAddress: string | undefined
  readonly hostname: string
  readonly startTimeMs: number
}

export function headerVariables(context: HeaderVariableContext): VariableLookup {
  return (name, arg) => {
    switch (name) {
      case 'REQ':
        return arg === undefined ? undefined : requestHeader(context.requestHeaders, arg)
      case 'DOWNSTREAM_REMOTE_ADDRESS':
        return context.downstreamRemoteAddress
      case 'DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT':
        return withoutBrackets(stripPort(context.downstreamRemoteAddress))
      case 'UPSTREAM_REMOTE_ADDRESS':
        return context.upstreamRemoteAddress ?? ''
      case 'HOSTNAME':
        return context.hostname
      case 'START_TIME':
        return new Date(context.startTimeMs).toISOString()
      default:
        return undefined
    }
  }
}

/** `%REQ(x-a?x-b)%`: Envoy's fallback form, the first header present wins; none gives empty. */
function requestHeader(headers: HeaderVariableContext['requestHeaders'], arg: string): string {
  for (const name of arg.split('?')) {
    const value = headers.get(name.trim())
    if (value !== null) return value
  }
  return ''
}

/** Envoy prints the bare IPv6 address (`::1`) when the port is dropped. */
function withoutBrackets(address: string): string {
  return address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address
}
