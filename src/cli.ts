// Command-line arguments, mirroring Envoy's flags so sandbox users feel at home.

export type Mode = 'serve' | 'validate'

export type CliOptions = {
  readonly command: 'proxy' | 'zipkin' | 'convert' | 'help' | 'version'
  readonly configPath: string | undefined
  /** Envoy's `--config-yaml`: YAML merged on top of the file (or the whole config without -c). */
  readonly configYaml: string | undefined
  readonly serviceCluster: string | undefined
  readonly serviceNode: string | undefined
  readonly mode: Mode
  readonly logLevel: string
  /** Worker processes sharing the listener ports; undefined means one per core (Envoy's --concurrency). */
  readonly concurrency: number | undefined
  /** Envoy's `--log-format`: accepted so Envoy command lines run; edgeway's own lines keep their format. */
  readonly logFormat: string | undefined
  /** Envoy's `--drain-time-s`: how long listeners drain on shutdown (seconds); undefined = the default. */
  readonly drainTimeS: number | undefined
  /** Envoy's `--file-flush-interval-msec`: access-log buffers are written at least this often; undefined = 1000. */
  readonly fileFlushIntervalMs: number | undefined
  /** Envoy's `--file-flush-min-size-kb`: a buffer this full is written at once; undefined = 64. */
  readonly fileFlushMinSizeKb: number | undefined
  /** Envoy's `--v2-config-only`: no effect (edgeway reads v2 and v3 spellings alike). */
  readonly v2ConfigOnly: boolean
  /** `edgeway convert --to compact|envoy`: the format to print (default: the other one). */
  readonly convertTo: 'compact' | 'envoy' | undefined
  /** Reload when the config file changes (on in the local mesh). */
  readonly watchConfig: boolean
  /** Raw arguments after a subcommand (`edgeway zipkin --port 9411`). */
  readonly rest: readonly string[]
}

export class UsageError extends Error {
  override name = 'UsageError'
}

export const USAGE = `usage: edgeway -c <config.yaml> [--config-yaml YAML] [--service-cluster NAME] [--service-node NAME] [--mode serve|validate]
               [-l|--log-level LEVEL] [--log-format FORMAT] [--concurrency N] [--drain-time-s S]
               [--file-flush-interval-msec MS] [--file-flush-min-size-kb KB] [--watch-config] [--v2-config-only]
       edgeway convert -c <config.yaml> [--to compact|envoy]
       edgeway zipkin [--port 9411] [--host 127.0.0.1] [--max-spans N]`

const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'critical', 'off']

export function parseArgs(args: readonly string[]): CliOptions {
  if (args[0] === 'zipkin') return { ...empty(), command: 'zipkin', rest: args.slice(1) }
  const options = { ...empty() } as { -readonly [K in keyof CliOptions]: CliOptions[K] }
  const convert = args[0] === 'convert'
  if (convert) options.command = 'convert'
  for (let i = convert ? 1 : 0; i < args.length; i++) {
    const arg = args[i]!
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const value = (): string => {
      const v = inline ?? args[++i]
      if (v === undefined || v === '') throw new UsageError(`option ${flag} needs a value`)
      return v
    }
    switch (flag) {
      case '-c':
      case '--config-path':
        options.configPath = value()
        break
      case '--config-yaml':
        options.configYaml = value()
        break
      case '--log-format':
        options.logFormat = value()
        break
      case '--drain-time-s': {
        const text = value()
        if (!/^\d+$/.test(text)) throw new UsageError(`--drain-time-s must be a whole number of seconds, got "${text}"`)
        options.drainTimeS = Number(text)
        break
      }
      case '--file-flush-interval-msec':
        options.fileFlushIntervalMs = wholeNumber(flag, value(), 0, 3_600_000)
        break
      case '--file-flush-min-size-kb':
        options.fileFlushMinSizeKb = wholeNumber(flag, value(), 1, 1024 * 1024)
        break
      case '--v2-config-only':
        options.v2ConfigOnly = true
        break
      case '--to': {
        const to = value()
        if (!convert) throw new UsageError('--to belongs to "edgeway convert"')
        if (to !== 'compact' && to !== 'envoy') throw new UsageError(`--to must be compact or envoy, got "${to}"`)
        options.convertTo = to
        break
      }
      case '--service-cluster':
        options.serviceCluster = value()
        break
      case '--service-node':
        options.serviceNode = value()
        break
      case '--mode': {
        const mode = value()
        if (mode !== 'serve' && mode !== 'validate') throw new UsageError(`--mode must be serve or validate, got "${mode}"`)
        options.mode = mode
        break
      }
      case '-l':
      case '--log-level': {
        const level = value()
        if (!LOG_LEVELS.includes(level)) throw new UsageError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, got "${level}"`)
        options.logLevel = level
        break
      }
      case '--concurrency': {
        const text = value()
        const n = Number(text)
        if (!/^\d+$/.test(text) || n < 1 || n > 1024) throw new UsageError(`--concurrency must be a whole number from 1 to 1024, got "${text}"`)
        options.concurrency = n
        break
      }
      case '--watch-config':
        options.watchConfig = true
        break
      case '-h':
      case '--help':
        options.command = 'help'
        break
      case '--version':
        options.command = 'version'
        break
      default:
        throw new UsageError(`unknown argument "${arg}"`)
    }
  }
  if (options.command === 'proxy' && options.configPath === undefined && options.configYaml === undefined) throw new UsageError('a config file is required (-c <config.yaml>, or --config-yaml)')
  if (options.command === 'convert' && options.configPath === undefined) throw new UsageError('convert needs a config file (-c <config.yaml>)')
  return options
}

function wholeNumber(flag: string, text: string, min: number, max: number): number {
  const n = Number(text)
  if (!/^\d+$/.test(text) || n < min || n > max) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got "${text}"`)
  return n
}

function empty(): CliOptions {
  return { command: 'proxy', configPath: undefined, configYaml: undefined, logFormat: undefined, drainTimeS: undefined, fileFlushIntervalMs: undefined, fileFlushMinSizeKb: undefined, v2ConfigOnly: false, convertTo: undefined, serviceCluster: undefined, serviceNode: undefined, mode: 'serve', logLevel: 'info', concurrency: undefined, watchConfig: false, rest: [] }
}
