import { describe, expect, test } from 'bun:test'
import { ManualClock } from '../../test/support/manual-clock.ts'
import { ProxyError } from '../errors.ts'
import { AttemptAbort } from './attempt-abort.ts'
import { isSmallSizedBody, readWholeBody, WHOLE_BODY_LIMIT_BYTES, whenBodyDone } from './response-body.ts'
import { toResponse } from '../upstream/to-response.ts'

const sized = (length: number | undefined, body: BodyInit | null = 'x') =>
  new Response(body, { headers: length === undefined ? {} : { 'content-length': String(length) } })

/** A body that sends `first` and then neither ends nor fails. */
const stalled = (first: string) =>
  new ReadableStream<Uint8Array>({ start: (controller) => controller.enqueue(new TextEncoder().encode(first)) })

describe('isSmallSizedBody', () => {
  test('a declared length up to the limit is read whole', () => {
    expect(isSmallSizedBody('GET', sized(0))).toBe(true)
    expect(isSmallSizedBody('GET', sized(WHOLE_BODY_LIMIT_BYTES))).toBe(true)
  })
  test('larger, unsized, bodiless and HEAD responses stream', () => {
    expect(isSmallSizedBody('GET', sized(WHOLE_BODY_LIMIT_BYTES + 1))).toBe(false)
    expect(isSmallSizedBody('GET', new Response(stalled('x')))).toBe(false)
    // 304 may declare the length of the body it does not send.
    expect(isSmallSizedBody('GET', new Response(null, { status: 304, headers: { 'content-length': '5' } }))).toBe(false)
    expect(isSmallSizedBody('GET', new Response(null, { status: 204, headers: { 'content-length': '0' } }))).toBe(false)
    expect(isSmallSizedBody('HEAD', sized(5))).toBe(false)
  })
})

describe('readWholeBody', () => {
  test('returns the bytes, and releases the deadline once they are read', async () => {
    const clock = new ManualClock()
    const abort = new AttemptAbort(clock)
    abort.arm(1_000)
    expect(new TextDecoder().decode((await readWholeBody(new Response('hello'), abort)) as Uint8Array)).toBe('hello')
    expect(clock.pending()).toBe(0)
    expect(new TextDecoder().decode((await readWholeBody(new Response('no deadline'), undefined)) as Uint8Array)).toBe('no deadline')
  })
  test('the route deadline aborts the upstream call: a body still arriving then is a route timeout (504 UT)', async () => {
    const clock = new ManualClock()
    const abort = new AttemptAbort(clock)
    abort.arm(20)
    // As a runtime's fetch body: it fails when the call's signal aborts.
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        controller.enqueue(new TextEncoder().encode('half'))
        abort.signal.addEventListener('abort', () => controller.error(new DOMException('aborted', 'AbortError')))
      },
    })
    const pending = readWholeBody(new Response(body), abort)
    await clock.advance(19)
    expect(abort.signal.aborted).toBe(false)
    await clock.advance(1)
    const outcome = await pending
    expect(outcome).toBeInstanceOf(ProxyError)
    expect((outcome as ProxyError).flag).toBe('UT')
    expect((outcome as ProxyError).status).toBe(504)
  })
  test('a body that fails is an upstream reset (503 UR)', async () => {
    const broken = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error('reset')) })
    const outcome = await readWholeBody(new Response(broken), undefined)
    expect((outcome as ProxyError).flag).toBe('UR')
  })
})

describe('whenBodyDone', () => {
  test('reports the bytes once the body has been read', async () => {
    const seen: number[] = []
    const response = whenBodyDone(new Response('twelve bytes'), (bytes) => seen.push(bytes))
    expect(seen).toEqual([])
    expect(await toResponse(response).text()).toBe('twelve bytes')
    expect(seen).toEqual([12])
  })
  test('reports at once without a body', () => {
    const seen: number[] = []
    whenBodyDone(new Response(null, { status: 204 }), (bytes) => seen.push(bytes))
    expect(seen).toEqual([0])
  })
})
