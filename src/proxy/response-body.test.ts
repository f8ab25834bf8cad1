import { describe, expect, test } from 'bun:test'
import { ProxyError } from '../errors.ts'
import { isSmallSizedBody, readWholeBody, WHOLE_BODY_LIMIT_BYTES, whenBodyDone } from './response-body.ts'

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
  test('returns the bytes', async () => {
    expect(new TextDecoder().decode((await readWholeBody(new Response('hello'), 1_000)) as Uint8Array)).toBe('hello')
  })
  test('a body already read needs no timer; one still arriving does', async () => {
    expect(new TextDecoder().decode((await readWholeBody(new Response('ready'), 1)) as Uint8Array)).toBe('ready')
    let release: (() => void) | undefined
    const late = new ReadableStream<Uint8Array>({
      start: (controller) => void (release = () => (controller.enqueue(new TextEncoder().encode('late')), controller.close())),
    })
    setTimeout(() => release!(), 30)
    expect(new TextDecoder().decode((await readWholeBody(new Response(late), 1_000)) as Uint8Array)).toBe('late')
  })
  test('a body that stalls past the deadline is a route timeout (504 UT)', async () => {
    const outcome = await readWholeBody(new Response(stalled('half')), 20)
    expect(outcome).toBeInstanceOf(ProxyError)
    expect((outcome as ProxyError).flag).toBe('UT')
    expect((outcome as ProxyError).status).toBe(504)
  })
  test('a body that fails is an upstream reset (503 UR)', async () => {
    const broken = new ReadableStream<Uint8Array>({ pull: (controller) => controller.error(new Error('reset')) })
    const outcome = await readWholeBody(new Response(broken), Infinity)
    expect((outcome as ProxyError).flag).toBe('UR')
  })
})

describe('whenBodyDone', () => {
  test('reports the bytes once the body has been read', async () => {
    const seen: number[] = []
    const response = whenBodyDone(new Response('twelve bytes'), (bytes) => seen.push(bytes))
    expect(seen).toEqual([])
    expect(await response.text()).toBe('twelve bytes')
    expect(seen).toEqual([12])
  })
  test('reports at once without a body', () => {
    const seen: number[] = []
    whenBodyDone(new Response(null, { status: 204 }), (bytes) => seen.push(bytes))
    expect(seen).toEqual([0])
  })
})
