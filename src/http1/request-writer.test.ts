// A request head's slab space is given back only when the transport kept none of its bytes
// (Transport.copiesWrites): what either kind of transport holds stays the head it was given.

import { describe, expect, test } from 'bun:test'
import { frameBody, type FramedBody } from './request-body.ts'
import { composeRequestHead, requestHeadBytes } from './head-bytes.ts'
import { bodyInHead, RequestWriter } from './request-writer.ts'
import type { Transport, TransportEvents } from './transport.ts'

const text = (bytes: Uint8Array) => new TextDecoder('latin1').decode(bytes)

class RecordingTransport implements Transport {
  events: TransportEvents | undefined
  closed = false
  /** What a copying transport holds is its own copy; any other keeps the very view. */
  held: Uint8Array[] = []
  constructor(readonly copiesWrites: boolean) {}
  write(bytes: Uint8Array): boolean {
    this.held.push(this.copiesWrites ? bytes.slice() : bytes)
    return true
  }
  writeRange(bytes: Uint8Array, start: number, end: number): boolean {
    if (!this.copiesWrites) throw new Error('a range only for a transport that copies')
    this.held.push(bytes.slice(start, end))
    this.ranges.push(start)
    return true
  }
  ranges: number[] = []
  pause() {}
  resume() {}
  destroy() {}
}

/** As exchange.ts: a head composed in the slab for a transport that copies, else a view of it. */
function send(writer: RequestWriter, transport: RecordingTransport, i: number): Uint8Array | null {
  const headers = new Headers({ 'x-i': String(i) })
  const body = frameBody(headers, i % 2 ? new TextEncoder().encode(`body ${i}`) : null) as FramedBody
  const args = [i % 2 ? 'POST' : 'GET', `/r/${i}`, 'h:1', headers, body.framing, bodyInHead(body)] as const
  let head: Uint8Array | null = null
  if (transport.copiesWrites) composeRequestHead(...args)
  else head = requestHeadBytes(...args)
  expect(writer.write(head, body)).toBeUndefined()
  writer.reset()
  return head
}

const wire = (i: number) => (i % 2 ? `POST /r/${i} HTTP/1.1\r\nx-i: ${i}\r\nhost: h:1\r\ncontent-length: ${`body ${i}`.length}\r\n\r\nbody ${i}` : `GET /r/${i} HTTP/1.1\r\nx-i: ${i}\r\nhost: h:1\r\n\r\n`)

describe('RequestWriter and the head slab', () => {
  test('over a transport that copies, each head goes as a range of the slab written over the bytes of the last one, and every copy is whole', () => {
    const transport = new RecordingTransport(true)
    const writer = new RequestWriter(transport)
    ;[0, 1, 2, 3].forEach((i) => send(writer, transport, i))
    expect(new Set(transport.ranges).size).toBe(1)
    expect(transport.held.map(text)).toEqual([0, 1, 2, 3].map(wire))
  })

  test('over a transport that keeps the views, no head is written over', () => {
    const transport = new RecordingTransport(false)
    const writer = new RequestWriter(transport)
    const heads = [0, 1, 2, 3].map((i) => send(writer, transport, i)!)
    expect(new Set(heads.map((h) => h.byteOffset)).size).toBe(4)
    expect(transport.held.map(text)).toEqual([0, 1, 2, 3].map(wire))
  })
})
