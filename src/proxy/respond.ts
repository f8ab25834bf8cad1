// The last step of every answer, upstream or local: the status goes to RequestInfo, the observers
// hear of the response head, and of its end once the client has the whole body.

import type { ListenerObserver, RequestObserver } from './observer.ts'
import type { RequestInfo } from './request-info.ts'
import { whenBodyDone } from './response-body.ts'
import type { ProxyResponse } from '../runtime.ts'

export type RespondContext = {
  readonly observers: Pick<ListenerObserver, 'watchesBody'>
  readonly now: () => number
}

/**
 * `wholeBytes`: the body was read whole, so it is done as soon as it is handed over.
 * `at`: a clock read the caller made with nothing awaited since (the attempt's end): the handover's instant.
 */
export function respond(response: ProxyResponse, info: RequestInfo, observer: RequestObserver, ctx: RespondContext, wholeBytes?: number, at?: number): ProxyResponse {
  info.status = response.status
  observer.responded(info)
  if (!ctx.observers.watchesBody) {
    // Nobody needs the body's size or end: the request is done for the observers now, and its
    // duration (downstream_rq_time) ends at the handover of the response to the runtime.
    ended(info, at ?? ctx.now())
    observer.done(info)
    return response
  }
  if (wholeBytes !== undefined) {
    bodyDone(info, observer, ctx, wholeBytes, at)
    return response
  }
  return whenBodyDone(response, (bytes) => bodyDone(info, observer, ctx, bytes))
}

/** The client has the whole body (`bytes` of it), or went away: the observers hear of it once. `at`: as respond()'s. */
export function bodyDone(info: RequestInfo, observer: RequestObserver, ctx: RespondContext, bytes: number, at?: number): void {
  if (ctx.observers.watchesBody) {
    info.bytesSent = bytes
    ended(info, at ?? ctx.now())
  }
  observer.done(info)
}

/** The request is over at `now` (the proxy's clock): its end, and its duration as Envoy logs it. */
export function ended(info: RequestInfo, now: number): void {
  info.endedAt = now
  info.durationMs = Math.round(now - info.startedAt)
}
