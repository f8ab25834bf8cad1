// The sample service's settings, read from environment variables and checked in one place so a
// typo in the compose file or the launcher stops the process with every problem listed.

export type ServiceSettings = {
  readonly serviceName: string
  readonly address: string
  readonly port: number
  /** Undefined: resolve the host name at start, as service.py's gethostbyname(gethostname()). */
  readonly replicaAddress: string | undefined
  readonly egressUrl: string
  readonly errorRatePercent: number
  readonly latencyMs: number
  readonly egressTimeoutMs: number
}

export function readServiceSettings(env: (name: string) => string | undefined): { settings?: ServiceSettings; problems: string[] } {
  const problems: string[] = []
  const get = (name: string): string | undefined => {
    const value = env(name)?.trim()
    return value === '' ? undefined : value
  }
  const number = (name: string, fallback: number, min: number, max: number, integer: boolean): number => {
    const text = get(name)
    if (text === undefined) return fallback
    const value = Number(text)
    if (!Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      problems.push(`${name}: expected ${integer ? 'an integer' : 'a number'} ${min}-${max}, got "${text}"`)
      return fallback
    }
    return value
  }

  const serviceName = get('SERVICE_NAME')
  if (serviceName === undefined) problems.push('SERVICE_NAME: required ("1" or "2")')
  const egressUrl = get('EGRESS_URL') ?? 'http://127.0.0.1:9000'
  if (!URL.canParse(egressUrl)) problems.push(`EGRESS_URL: expected a URL like http://127.0.0.1:9000, got "${egressUrl}"`)
  const settings: ServiceSettings = {
    serviceName: serviceName ?? '',
    address: get('HOST') ?? '127.0.0.1',
    port: number('PORT', 8080, 0, 65535, true),
    replicaAddress: get('REPLICA_ADDRESS'),
    egressUrl,
    errorRatePercent: number('ERROR_RATE', 0, 0, 100, false),
    latencyMs: number('LATENCY_MS', 0, 0, 600_000, true),
    egressTimeoutMs: number('EGRESS_TIMEOUT_MS', 10_000, 1, 600_000, true),
  }
  return problems.length ? { problems } : { settings, problems }
}
