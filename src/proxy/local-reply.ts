// The one place a ProxyError becomes a response: Envoy's status and plain-text body, the response
// flags and details in RequestInfo, the proxy's server name and the x-request-id echo.

import type { ListenerConfig } from '../config/model.ts'
import { joinFlags, TlsRedirect, type ProxyError } from '../errors.ts'
import type { RequestObserver } from './observer.ts'
import type { RequestInfo } from './request-info.ts'
import { respond, type RespondContext } from './respond.ts'
import type { ProxyResponse } from '../runtime.ts'

export type LocalReplyContext = RespondContext & { readonly listener: ListenerConfig }

export function localReply(error: ProxyError, info: RequestInfo, observer: RequestObserver, ctx: LocalReplyContext): ProxyResponse {
  // Only a fault's delay (DI) sets a flag before a local reply.
  info.flags = info.flags ? joinFlags(info.flags, error.flag) : error.flag
  info.details = error.code
  const headers = new Headers({ 'content-type': 'text/plain', 'content-length': String(error.body.length) })
  if (ctx.listener.serverName !== undefined) headers.set('server', ctx.listener.serverName)
  if (error.flag === 'UO') headers.set('x-envoy-overloaded', 'true')
  if (error instanceof TlsRedirect) headers.set('location', error.location)
  // Envoy's codec errors (400, 431): the connection is not reused.
  if (error.flag === 'DPE') headers.set('connection', 'close')
  echoRequestId(headers, info, observer, ctx.listener)
  info.responseHeaders = headers
  return respond(new Response(error.body || null, { status: error.status, headers }), info, observer, ctx)
}

/** Envoy echoes x-request-id when configured to, and on a forced trace. */
export function echoRequestId(headers: Headers, info: RequestInfo, observer: RequestObserver, listener: ListenerConfig): void {
  if (info.requestId && (listener.alwaysSetRequestIdInResponse || observer.forcedTrace)) headers.set('x-request-id', info.requestId)
}
