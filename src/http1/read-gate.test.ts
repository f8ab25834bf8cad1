import { expect, test } from 'bun:test'
import { BODY_FULL, HELD_FULL, ReadGate, STOPPED } from './read-gate.ts'

test('reading resumes only when no reason is left; STOPPED is never lifted by the others', () => {
  const calls: string[] = []
  const gate = new ReadGate({ pause: () => calls.push('pause'), resume: () => calls.push('resume') })
  gate.hold(BODY_FULL)
  gate.hold(HELD_FULL)
  gate.release(BODY_FULL)
  expect(calls).toEqual(['pause'])
  gate.release(HELD_FULL)
  gate.release(HELD_FULL)
  expect(calls).toEqual(['pause', 'resume'])
  gate.hold(STOPPED)
  gate.hold(BODY_FULL)
  gate.release(BODY_FULL | HELD_FULL)
  expect(calls).toEqual(['pause', 'resume', 'pause'])
})
