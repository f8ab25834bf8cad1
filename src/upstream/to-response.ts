// A ProxyResponse as a runtime's server takes it: a Response. Made only at the boundary of a
// listener on the runtime's server (and by the few callers that need a Response's API), so only an answer that
// is not a Response already (an upstream answer record, upstream-answer.ts) pays for one.

import type { ProxyResponse } from '../runtime.ts'
import { wholeBodyOf, wholeBodyResponse } from './whole-body.ts'

/** `response` itself when it is a Response; else a Response with its status, fields and body (marked whole when it holds it). */
export function toResponse(response: ProxyResponse): Response {
  if (response instanceof Response) return response
  // A HeaderSnapshot iterates as name/value pairs: the Headers constructor takes it as a sequence.
  const init: ResponseInit = { status: response.status, statusText: response.statusText, headers: response.headers }
  const whole = wholeBodyOf(response)
  if (whole !== undefined) return wholeBodyResponse(whole.byteLength === 0 ? null : (whole as Uint8Array<ArrayBuffer>), init)
  return new Response(response.body, init)
}

/** A handler's answer, or its promise, as Responses: for a listener whose handler may answer with a record. */
export function toResponses(answer: ProxyResponse | Promise<ProxyResponse>): Response | Promise<Response> {
  return answer instanceof Promise ? answer.then(toResponse) : toResponse(answer)
}
