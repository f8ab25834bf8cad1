import { describe, expect, test } from 'bun:test'
import { parseOptions } from './options.ts'

describe('parseOptions', () => {
  test('defaults: 5 s runs, four rounds, every peer', () => {
    expect(parseOptions([])).toMatchObject({ durationS: 5, rounds: 4, peers: undefined, quick: false, out: 'bench/results/latest.md' })
  })

  test('--quick is one short round; explicit flags win', () => {
    expect(parseOptions(['--quick'])).toMatchObject({ durationS: 3, rounds: 1, warmupS: 1, quick: true })
    expect(parseOptions(['--quick', '--rounds', '3', '--duration', '5'])).toMatchObject({ durationS: 5, rounds: 3 })
    expect(parseOptions(['--peers', 'direct,nginx']).peers).toEqual(['direct', 'nginx'])
  })

  test('the collector-down soak: 60 s by default, 10 s with --quick, 0 leaves it out', () => {
    expect(parseOptions([]).soakS).toBe(60)
    expect(parseOptions(['--quick']).soakS).toBe(10)
    expect(parseOptions(['--soak', '0']).soakS).toBe(0)
    expect(parseOptions(['--soak', '30']).soakS).toBe(30)
    expect(() => parseOptions(['--soak', 'x'])).toThrow('1-3600')
  })

  test('bad flags and values are errors', () => {
    expect(() => parseOptions(['--rounds', '0'])).toThrow('1-3600')
    expect(() => parseOptions(['--duration'])).toThrow('needs a value')
    expect(() => parseOptions(['--fast'])).toThrow('unknown flag')
  })
})
