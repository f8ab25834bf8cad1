import { expect, test } from 'bun:test'
import { BodyEnd, bodyEndOf, reportsBodyEnd } from './body-end.ts'

test('the listener hears the end once, whether it listened before or after', () => {
  const early = new BodyEnd()
  const seen: unknown[] = []
  early.listen((bytes, failure, cancelled) => seen.push([bytes, failure, cancelled]))
  early.bytes = 7
  early.end(undefined, false)
  early.end(new Error('late'), false)
  expect(seen).toEqual([[7, undefined, false]])
  const late = new BodyEnd()
  late.end(undefined, true)
  late.listen((bytes, failure, cancelled) => seen.push([bytes, failure, cancelled]))
  expect(seen[1]).toEqual([0, undefined, true])
})

test('only marked, unread responses report', async () => {
  const marked = new Response('abc')
  reportsBodyEnd(marked, new BodyEnd())
  expect(bodyEndOf(new Response('x'))).toBeUndefined()
  expect(bodyEndOf(marked)).toBeInstanceOf(BodyEnd)
  await marked.text()
  expect(bodyEndOf(marked)).toBeUndefined()
})
