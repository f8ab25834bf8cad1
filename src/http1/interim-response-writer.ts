// A stand-in for helper reswrite18's response-writer.ts (stop 33), with its contract, so the
// connection loop can answer before that lands: the head from the Response's status and fields,
// a whole body (wholeBodyOf) in the head's write, any other body streamed, with Content-Length
// when the response names one, else chunked (HTTP/1.1) or close-delimited (HTTP/1.0). HEAD, 1xx,
// 204 and 304 carry no body. Deleted when reswrite18's ResponseWriter is merged.

import { wholeBodyOf } from '../upstream/whole-body.ts'
import { encodeLatin1 } from './latin1.ts'
import type { ServerTransport } from './server-transport.ts'

export type ResponseFacts = { readonly method: string; readonly version: 10 | 11; readonly keepAlive: boolean }

const REASONS: Record<number, string> = { 100: 'Continue', 200: 'OK', 201: 'Created', 204: 'No Content', 206: 'Partial Content', 301: 'Moved Permanently', 302: 'Found', 304: 'Not Modified', 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 408: 'Request Timeout', 413: 'Payload Too Large', 414: 'URI Too Long', 431: 'Request Header Fields Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 505: 'HTTP Version Not Supported' }
const CHUNK_END = encodeLatin1('\r\n')
const LAST_CHUNK = encodeLatin1('0\r\n\r\n')

/** The Date field as the runtimes' servers write it, made once a second. */
let dateSecond = -1
let dateField = ''
function date(): string {
  const now = Date.now()
  const second = Math.floor(now / 1000)
  if (second !== dateSecond) {
    dateSecond = second
    dateField = `date: ${new Date(now).toUTCString()}\r\n`
  }
  return dateField
}

export class ResponseWriter {
  readonly #transport: ServerTransport
  #wake: (() => void) | undefined
  #closed = false
  #reader: ReadableStreamDefaultReader<Uint8Array> | undefined

  constructor(transport: ServerTransport) {
    this.#transport = transport
  }

  /** True when the connection may carry another request; a promise while a streamed body is written. */
  write(response: Response, facts: ResponseFacts): boolean | Promise<boolean> {
    const status = response.status
    const bodiless = facts.method === 'HEAD' || status < 200 || status === 204 || status === 304
    const whole = wholeBodyOf(response)
    let text = `HTTP/1.1 ${status} ${response.statusText || REASONS[status] || 'Unknown'}\r\n`
    let declared: string | null = null
    let close = !facts.keepAlive
    let hasDate = false
    response.headers.forEach((value, name) => {
      if (name === 'content-length') return void (declared = value)
      if (name === 'transfer-encoding') return
      if (name === 'connection') {
        if (/close/i.test(value)) close = true
        return
      }
      if (name === 'date') hasDate = true
      text += `${name}: ${value}\r\n`
    })
    if (!hasDate) text += date()
    const body = bodiless || whole !== undefined ? null : response.body
    let chunked = false
    if (whole !== undefined && !bodiless) text += `content-length: ${whole.byteLength}\r\n`
    else if (declared !== null && (status !== 204 || facts.method === 'HEAD')) text += `content-length: ${declared}\r\n`
    else if (body === null) {
      if (!bodiless) text += 'content-length: 0\r\n'
    } else if (facts.version === 11) {
      chunked = true
      text += 'transfer-encoding: chunked\r\n'
    } else close = true
    if (close) text += 'connection: close\r\n'
    else if (facts.version === 10) text += 'connection: keep-alive\r\n'
    text += '\r\n'
    const head = encodeLatin1(text)
    if (whole !== undefined && !bodiless && whole.byteLength > 0) {
      const out = new Uint8Array(head.byteLength + whole.byteLength)
      out.set(head)
      out.set(whole, head.byteLength)
      this.#transport.write(out)
    } else this.#transport.write(head)
    if (bodiless || body === null) {
      if (bodiless && whole === undefined) void response.body?.cancel().catch(() => {})
      return !close
    }
    return this.#stream(body, chunked).then((whole) => whole && !close)
  }

  /** The transport took what was queued: a streamed body goes on. */
  drain(): void {
    const wake = this.#wake
    this.#wake = undefined
    wake?.()
  }

  /** The transport closed: a body being written is cancelled. */
  close(_error?: Error): void {
    this.#closed = true
    void this.#reader?.cancel().catch(() => {})
    this.drain()
  }

  /** True when the whole body went out. */
  async #stream(body: ReadableStream<Uint8Array>, chunked: boolean): Promise<boolean> {
    const reader = (this.#reader = body.getReader())
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (this.#closed) return false
        if (done) break
        if (value.byteLength === 0) continue
        let fits: boolean
        if (chunked) {
          this.#transport.write(encodeLatin1(`${value.byteLength.toString(16)}\r\n`))
          this.#transport.write(value)
          fits = this.#transport.write(CHUNK_END)
        } else fits = this.#transport.write(value)
        if (!fits) await new Promise<void>((wake) => (this.#wake = wake))
        if (this.#closed) return false
      }
      if (chunked) this.#transport.write(LAST_CHUNK)
      return true
    } catch {
      // The upstream broke the body: the client cannot be told but by the connection closing.
      return false
    } finally {
      this.#reader = undefined
    }
  }
}
