import { afterEach, describe, expect, spyOn, test } from 'bun:test'
import type { FetchHandler, Runtime, ServeOptions } from '../../src/runtime.ts'
import { parseZipkinArgs, runZipkinCommand } from './main.ts'
import { toResponse } from '../../src/upstream/to-response.ts'

type Served = { options?: ServeOptions; handler?: FetchHandler; closed: boolean }

/** Only what the command touches; serving is faked so no socket opens. */
function fakeRuntime(served: Served, signals: ((s: string) => void)[], exits: number[]): Runtime {
  const runtime = {
    serve: async (options: ServeOptions, handler: FetchHandler) => {
      served.options = options
      served.handler = handler
      return { port: options.port === 0 ? 40123 : options.port, close: async () => void (served.closed = true) }
    },
    onShutdownSignal: (listener: (signal: string) => void) => void signals.push(listener),
    // Records instead of exiting, so the test process survives.
    exit: (code: number): never => {
      exits.push(code)
      return undefined as never
    },
  }
  return runtime as unknown as Runtime
}

describe('edgeway zipkin', () => {
  afterEach(() => {
    ;(console.log as unknown as { mockRestore?: () => void }).mockRestore?.()
    ;(console.error as unknown as { mockRestore?: () => void }).mockRestore?.()
  })

  test('defaults and both flag spellings', () => {
    expect(parseZipkinArgs([])).toEqual({ ok: true, options: { hostname: '127.0.0.1', port: 9411, maxSpans: 100_000 } })
    expect(parseZipkinArgs(['--port=0', '--host', '127.0.0.5', '--max-spans', '10'])).toEqual({
      ok: true,
      options: { hostname: '127.0.0.5', port: 0, maxSpans: 10 },
    })
    for (const bad of [['--port'], ['--port', '70000'], ['--max-spans', '0'], ['--bogus'], ['9411']]) {
      expect(parseZipkinArgs(bad).ok).toBe(false)
    }
  })

  test('--storage sqlite:PATH with retention by age and size; memory takes neither', () => {
    expect(parseZipkinArgs(['--storage', 'sqlite:/tmp/t.db', '--retention=72h', '--max-bytes', '512MiB'])).toEqual({
      ok: true,
      options: { hostname: '127.0.0.1', port: 9411, maxSpans: 100_000, storage: { kind: 'sqlite', path: '/tmp/t.db', maxAgeMs: 72 * 3_600_000, maxBytes: 512 * 1024 ** 2 } },
    })
    expect(parseZipkinArgs(['--storage', 'memory'])).toEqual({ ok: true, options: { hostname: '127.0.0.1', port: 9411, maxSpans: 100_000 } })
    const problem = (args: string[]) => {
      const parsed = parseZipkinArgs(args)
      return parsed.ok ? undefined : parsed.problem
    }
    expect(problem(['--storage', 'postgres:x'])).toBe('zipkin: --storage must be memory or sqlite:PATH, got postgres:x')
    expect(problem(['--storage', 'sqlite:'])).toBe('zipkin: --storage must be memory or sqlite:PATH, got sqlite:')
    expect(problem(['--storage', 'sqlite:a.db', '--retention', '3 days'])).toBe('zipkin: --retention must be a duration like 90s, 30m, 72h or 7d, got 3 days')
    expect(problem(['--storage', 'sqlite:a.db', '--max-bytes', '1TB'])).toBe('zipkin: --max-bytes must be a size like 500000000, 512MB or 1GiB, got 1TB')
    expect(problem(['--retention', '1h'])).toBe('zipkin: --retention and --max-bytes need --storage sqlite:PATH')
  })

  test('prints the listening line, serves the API, closes on a shutdown signal', async () => {
    const lines: string[] = []
    spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line))
    const served: Served = { closed: false }
    const signals: ((s: string) => void)[] = []
    const exits: number[] = []
    const running = await runZipkinCommand(['--port', '0'], fakeRuntime(served, signals, exits))
    expect(lines).toEqual(['zipkin store listening on http://127.0.0.1:40123 (UI at /zipkin/, in memory)'])
    expect(running.port).toBe(40123)
    const answer = await served.handler!(new Request('http://x/api/v2/services'), { remoteAddress: '127.0.0.1', remotePort: 1 })
    expect(await toResponse(answer).json()).toEqual([])
    expect(signals.length).toBe(1)
    signals[0]!('SIGTERM')
    await new Promise((resolve) => setTimeout(resolve, 1))
    expect(served.closed).toBe(true)
    expect(exits).toEqual([0])
  })

  test('bad arguments: one line on stderr, exit 1', async () => {
    const lines: string[] = []
    spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line))
    const served: Served = { closed: false }
    const exits: number[] = []
    await runZipkinCommand(['--port', 'abc'], fakeRuntime(served, [], exits))
    expect(exits).toEqual([1])
    expect(served.handler).toBeUndefined()
    expect(lines).toEqual(['zipkin: --port must be an integer 0-65535, got abc'])
  })
})
