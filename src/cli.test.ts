import { describe, expect, test } from 'bun:test'
import { parseArgs, UsageError } from './cli.ts'

describe('--concurrency', () => {
  test('unset means one per core (decided by main), a number is taken as is', () => {
    expect(parseArgs(['-c', 'x.yaml']).concurrency).toBeUndefined()
    expect(parseArgs(['-c', 'x.yaml', '--concurrency', '3']).concurrency).toBe(3)
    expect(parseArgs(['-c', 'x.yaml', '--concurrency=1']).concurrency).toBe(1)
  })

  test('zero, negative, fractional or missing values are usage errors naming the flag', () => {
    for (const bad of ['0', '-2', '1.5', 'two', '2000']) {
      expect(() => parseArgs(['-c', 'x.yaml', '--concurrency', bad])).toThrow(new UsageError(`--concurrency must be a whole number from 1 to 1024, got "${bad}"`))
    }
    expect(() => parseArgs(['-c', 'x.yaml', '--concurrency'])).toThrow('option --concurrency needs a value')
  })
})
