import { expect, test } from 'bun:test'
import { failureFlag, failureReply, payloadTooLarge, ProxyError, type AttemptFailure } from './errors.ts'

const ALL: AttemptFailure[] = ['connect', 'reset', 'protocol', 'timeout', 'per-try-timeout', 'aborted', 'local', 'downstream']

test('every attempt failure maps to one local reply, whose flag is the attempt span\'s flag', () => {
  for (const failure of ALL) {
    const cause = failure === 'downstream' ? payloadTooLarge() : new Error('x')
    const reply = failureReply(failure, cause, 1)
    expect([failure, reply.flag]).toEqual([failure, failureFlag(failure, cause) as ProxyError['flag']])
  }
  expect(ALL.map((failure) => failureReply(failure, new Error('x'), 1).status)).toEqual([503, 503, 503, 504, 504, 499, 500, 499])
})

test('a connect failure after several attempts is UF,URX; a body the client broke answers as itself', () => {
  expect([failureReply('connect', undefined, 1).flag, failureReply('connect', undefined, 3).flag]).toEqual(['UF', 'UF,URX'])
  const tooLarge = payloadTooLarge()
  expect(failureReply('downstream', tooLarge, 1)).toBe(tooLarge)
  expect(failureReply('reset', new Error('boom'), 1).cause).toBeInstanceOf(Error)
})
