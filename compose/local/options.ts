// The local demo's command line and environment, checked in one place: `--scale`, `--env`,
// `--base-port`, `--ip-prefix`, `--status-file` and the port/URL variables of compose/README.md.

export const SERVICES = ['service1', 'service2'] as const
export type ServiceName = (typeof SERVICES)[number]

export type LaunchOptions = {
  readonly scale: Readonly<Record<ServiceName, number>>
  /** Extra environment per service (both halves of every replica), like a Compose `environment:`. */
  readonly serviceEnv: Readonly<Record<ServiceName, Readonly<Record<string, string>>>>
  /** Every default port is this plus a fixed offset, so one flag moves the whole mesh. */
  readonly basePort: number
  readonly ports: {
    readonly frontHttp: number
    /** The sandbox's TLS listener (:8443), with the committed demo certificate. */
    readonly frontHttps: number
    readonly frontAdmin: number
    readonly zipkin: number
    readonly dns: number
    /** Same on every replica, as in containers: DNS answers addresses only. */
    readonly replicaIngress: number
    readonly replicaAdmin: number
    readonly replicaApp: number
    readonly replicaEgress: number
  }
  /** First two octets of replica addresses: replica i of service s listens on `<prefix>.<s>.<i>`. */
  readonly ipPrefix: string
  /** A real Zipkin to report to; undefined = start the bundled store. */
  readonly externalZipkinUrl: string | undefined
  readonly dnsRefreshRate: string
  readonly statusFile: string | undefined
  /** Read `scale service1=5` commands from stdin. */
  readonly interactive: boolean
  /** Which proxy config files: routes/*.yaml (compact) or their Envoy v3 twins in routes/envoy/. */
  readonly configFormat: 'compact' | 'envoy'
  /** What every edgeway process runs: src/main.ts, or the built bundle up.ts found fresh (scripts/bundle.ts). */
  readonly edgewayEntry?: string
}

export const MAX_REPLICAS = 254

export const USAGE = `usage: bun compose/local/up.ts [--scale service1=3] [--scale service2=1] [--env [serviceN:]NAME=VALUE]
                              [--base-port 8000] [--ip-prefix 127.0] [--status-file PATH] [--no-stdin] [--envoy]
environment: EDGEWAY_HTTP_PORT (8000) EDGEWAY_HTTPS_PORT (8443) EDGEWAY_ADMIN_PORT (8001) ZIPKIN_PORT (9411) DNS_PORT (8053)
             ZIPKIN_URL (a real Zipkin: no bundled store) DNS_REFRESH_RATE (1s)
while running, type: scale service1=5 | status`

export class LaunchUsageError extends Error {
  override name = 'LaunchUsageError'
}

/** `service1=5` → ['service1', 5]; the same syntax as Compose's `--scale`. */
export function parseScale(text: string): [ServiceName, number] {
  const match = /^(service[12])=(\d{1,3})$/.exec(text.trim())
  if (!match) throw new LaunchUsageError(`--scale expects service1=N or service2=N, got "${text}"`)
  const replicas = Number(match[2])
  if (replicas > MAX_REPLICAS) throw new LaunchUsageError(`--scale ${match[1]}: at most ${MAX_REPLICAS} replicas, got ${replicas}`)
  return [match[1] as ServiceName, replicas]
}

export function parseLaunchOptions(args: readonly string[], env: (name: string) => string | undefined): LaunchOptions {
  const scale: Record<ServiceName, number> = { service1: 3, service2: 1 }
  const serviceEnv: Record<ServiceName, Record<string, string>> = { service1: {}, service2: {} }
  let basePort = port('EDGEWAY_BASE_PORT', env('EDGEWAY_BASE_PORT')) ?? 8000
  let ipPrefix = '127.0'
  let statusFile: string | undefined
  let interactive = true
  let configFormat: 'compact' | 'envoy' = 'compact'

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    const [flag, inline] = splitFirst(arg)
    const value = (): string => {
      const v = inline ?? args[++i]
      if (v === undefined || v === '') throw new LaunchUsageError(`${flag} needs a value`)
      return v
    }
    switch (flag) {
      case '--scale': {
        const [service, replicas] = parseScale(value())
        scale[service] = replicas
        break
      }
      case '--env': {
        const text = value()
        const match = /^(?:(service[12]):)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(text)
        if (!match) throw new LaunchUsageError(`--env expects [service1:|service2:]NAME=VALUE, got "${text}"`)
        for (const service of match[1] ? [match[1] as ServiceName] : SERVICES) serviceEnv[service][match[2]!] = match[3]!
        break
      }
      case '--base-port':
        basePort = port('--base-port', value())!
        break
      case '--ip-prefix':
        ipPrefix = value()
        if (!/^127\.(25[0-5]|2[0-4]\d|1?\d?\d)$/.test(ipPrefix)) throw new LaunchUsageError(`--ip-prefix expects two octets of the loopback range like 127.0, got "${ipPrefix}"`)
        break
      case '--status-file':
        statusFile = value()
        break
      case '--no-stdin':
        interactive = false
        break
      case '--envoy':
        configFormat = 'envoy'
        break
      case '-h':
      case '--help':
        throw new LaunchUsageError('help')
      default:
        throw new LaunchUsageError(`unknown argument "${arg}"`)
    }
  }

  // The largest offset is Zipkin's (+1411); every derived port must stay a port.
  if (basePort + 1411 > 65535) throw new LaunchUsageError(`--base-port ${basePort} is too high: the mesh uses up to base+1411`)
  const ports = {
    frontHttp: port('EDGEWAY_HTTP_PORT', env('EDGEWAY_HTTP_PORT')) ?? basePort,
    frontHttps: port('EDGEWAY_HTTPS_PORT', env('EDGEWAY_HTTPS_PORT')) ?? basePort + 443,
    frontAdmin: port('EDGEWAY_ADMIN_PORT', env('EDGEWAY_ADMIN_PORT')) ?? basePort + 1,
    zipkin: port('ZIPKIN_PORT', env('ZIPKIN_PORT')) ?? basePort + 1411,
    dns: port('DNS_PORT', env('DNS_PORT')) ?? basePort + 53,
    replicaIngress: basePort,
    replicaAdmin: basePort + 1,
    replicaApp: basePort + 80,
    replicaEgress: basePort + 1000,
  }
  const zipkinUrl = env('ZIPKIN_URL')?.trim() || undefined
  if (zipkinUrl !== undefined && !URL.canParse(zipkinUrl)) throw new LaunchUsageError(`ZIPKIN_URL is not a URL: "${zipkinUrl}"`)
  const dnsRefreshRate = env('DNS_REFRESH_RATE')?.trim() || '1s'
  return { scale, serviceEnv, basePort, ports, ipPrefix, externalZipkinUrl: zipkinUrl, dnsRefreshRate, statusFile, interactive, configFormat }
}

function splitFirst(arg: string): [string, string | undefined] {
  // `--env=service2:ERROR_RATE=20` splits at the first `=` only.
  const eq = arg.indexOf('=')
  return arg.startsWith('--') && eq !== -1 ? [arg.slice(0, eq), arg.slice(eq + 1)] : [arg, undefined]
}

function port(name: string, text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined
  const value = Number(text)
  if (!/^\d+$/.test(text.trim()) || value < 1 || value > 65535) throw new LaunchUsageError(`${name} must be a port 1-65535, got "${text}"`)
  return value
}
