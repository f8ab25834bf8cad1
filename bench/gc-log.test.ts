import { expect, test } from 'bun:test'
import { allocatedBetweenCollections } from './gc-log.ts'

test('bytes a call: the collections after the span start up to its end, ÷ its calls; a span without a collection is 0', () => {
  const log = [
    'Requesting GC because bytes allocated this cycle: 9000000 exceed bytes allowed: 8000000 normal bytes: 9000000',
    'GC-SPAN-START step 0',
    'Requesting GC because bytes allocated this cycle: 8000000 exceed bytes allowed: 8000000 normal bytes: 8000000',
    '[GC<0x1>: START M 27236kb => EdenCollection, ... => 7553kb, p=1ms END]',
    'Requesting GC because bytes allocated this cycle: 8000064 exceed bytes allowed: 8000000 normal bytes: 8000064',
    'GC-SPAN step 0 40000',
    'Requesting GC because bytes allocated this cycle: 7000000 exceed bytes allowed: 8000000 normal bytes: 7000000',
    'GC-SPAN-NONE baseline 0 160000',
    '',
  ].join('\n')
  const bytes = allocatedBetweenCollections(log)
  expect(bytes.get('step 0')).toBeCloseTo(16000064 / 40000, 6)
  expect(bytes.get('baseline 0')).toBe(0)
  expect(bytes.size).toBe(2)
})
