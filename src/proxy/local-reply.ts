// The one place a ProxyError becomes a response: Envoy's status and plain-text body, the response
// flags and details in RequestInfo, the proxy's server name and the x-request-id echo.

import type { ListenerConfig } from '../config/model.ts'
import { joinFlags, TlsRedirect, type ProxyError } from '../errors.ts'
import type { RequestObserver } from './observer.ts'
import type { RequestInfo } from './request-info.ts'
import { wholeBodyResponse } from '../upstream/whole-body.ts'
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
  // Marked whole: the byte listener writes it with its head at once instead of reading it back as a
  // stream (~3.5 µs a reply on Bun, bench/README "reswrite18"); Bun's server and Deno's server take it as any body.
  return respond(wholeBodyResponse(error.body ? bodyBytes(error.body) : null, { status: error.status, headers }), info, observer, ctx)
}

const encoder = new TextEncoder()

/** A reply's text as bytes: Envoy's bodies are a few ASCII words. */
function bodyBytes(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text) as Uint8Array<ArrayBuffer>
}

/** Envoy echoes x-request-id when configured to, and on a forced trace. */
export function echoRequestId(headers: Headers, info: RequestInfo, observer: RequestObserver, listener: ListenerConfig): void {
  if (info.requestId && (listener.alwaysSetRequestIdInResponse || observer.forcedTrace)) headers.set('x-request-id', info.requestId)
}
