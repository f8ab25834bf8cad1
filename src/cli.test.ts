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

describe('Envoy command lines', () => {
  test('the flags Envoy users type are accepted: --config-yaml, -l, --log-format, --drain-time-s, --v2-config-only', () => {
    const options = parseArgs(['-c', 'envoy.yaml', '--config-yaml', 'node: { cluster: x }', '-l', 'debug', '--log-format', '[%Y-%m-%d %T.%e][%l] %v', '--drain-time-s', '30', '--v2-config-only'])
    expect(options).toMatchObject({ configPath: 'envoy.yaml', configYaml: 'node: { cluster: x }', logLevel: 'debug', logFormat: '[%Y-%m-%d %T.%e][%l] %v', drainTimeS: 30, v2ConfigOnly: true })
  })

  test('--config-yaml alone is a whole config; --drain-time-s needs whole seconds', () => {
    expect(parseArgs(['--config-yaml', 'admin: {}']).configPath).toBeUndefined()
    expect(() => parseArgs(['-c', 'x.yaml', '--drain-time-s', '1.5'])).toThrow('--drain-time-s must be a whole number of seconds, got "1.5"')
    expect(parseArgs(['-c', 'x.yaml']).drainTimeS).toBeUndefined()
  })

  test("Envoy's access-log file flags: --file-flush-interval-msec and --file-flush-min-size-kb, whole numbers", () => {
    expect(parseArgs(['-c', 'x.yaml', '--file-flush-interval-msec', '250', '--file-flush-min-size-kb=128'])).toMatchObject({ fileFlushIntervalMs: 250, fileFlushMinSizeKb: 128 })
    expect(parseArgs(['-c', 'x.yaml'])).toMatchObject({ fileFlushIntervalMs: undefined, fileFlushMinSizeKb: undefined })
    expect(parseArgs(['-c', 'x.yaml', '--file-flush-interval-msec', '0']).fileFlushIntervalMs).toBe(0)
    expect(() => parseArgs(['-c', 'x.yaml', '--file-flush-interval-msec', '1.5'])).toThrow('--file-flush-interval-msec must be a whole number from 0 to 3600000, got "1.5"')
    expect(() => parseArgs(['-c', 'x.yaml', '--file-flush-min-size-kb', '0'])).toThrow('--file-flush-min-size-kb must be a whole number from 1 to 1048576, got "0"')
  })

  test('convert takes -c and --to', () => {
    expect(parseArgs(['convert', '-c', 'envoy.yaml'])).toMatchObject({ command: 'convert', configPath: 'envoy.yaml', convertTo: undefined })
    expect(parseArgs(['convert', '-c', 'x.yaml', '--to', 'envoy']).convertTo).toBe('envoy')
    expect(() => parseArgs(['convert'])).toThrow('convert needs a config file (-c <config.yaml>)')
    expect(() => parseArgs(['-c', 'x.yaml', '--to', 'envoy'])).toThrow('--to belongs to "edgeway convert"')
  })
})
