// The bench's command-line flags: --quick, --duration <s>, --rounds <n>, --peers a,b, --out <file>, --soak <s>, --protocols <s>.

export interface BenchOptions {
  readonly durationS: number
  readonly warmupS: number
  readonly rounds: number
  /** undefined = every peer; naming peers also allows leaving edgeway out while it cannot run. */
  readonly peers: readonly string[] | undefined
  readonly out: string
  readonly quick: boolean
  /** Seconds of the collector-down memory soak (bench/soak.ts); 0 leaves it out. */
  readonly soakS: number
  /** Pin wrk, upstream and proxy to separate cores and compare --concurrency 1, 2, 4, N with nginx. */
  readonly pin: boolean
  /** Seconds of each TLS / HTTP/2 / WebSocket run (bench/protocols/); 0 leaves those rows out. */
  readonly protocolS: number
}

export const USAGE = 'usage: bun bench/run.ts [--quick] [--duration <seconds>] [--rounds <n>] [--peers direct,nginx,...] [--out <file.md>] [--soak <seconds>|0] [--protocols <seconds>|0] [--pin]'

export function parseOptions(argv: readonly string[]): BenchOptions {
  let durationS: number | undefined
  let rounds: number | undefined
  let peers: string[] | undefined
  let out = 'bench/results/latest.md'
  let quick = false
  let soakS: number | undefined
  let pin = false
  let protocolS: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]
    const value = () => {
      const next = argv[++i]
      if (next === undefined) throw new Error(`${flag} needs a value\n${USAGE}`)
      return next
    }
    if (flag === '--quick') quick = true
    else if (flag === '--duration') durationS = positiveInt(flag, value())
    else if (flag === '--rounds') rounds = positiveInt(flag, value())
    else if (flag === '--peers') peers = value().split(',').filter(Boolean)
    else if (flag === '--out') out = value()
    else if (flag === '--pin') pin = true
    else if (flag === '--protocols') protocolS = value() === '0' ? 0 : positiveInt(flag, argv[i] as string)
    else if (flag === '--soak') soakS = value() === '0' ? 0 : positiveInt(flag, argv[i] as string)
    else throw new Error(`unknown flag ${flag}\n${USAGE}`)
  }
  return {
    durationS: durationS ?? (quick ? 3 : 5),
    warmupS: quick ? 1 : 3,
    rounds: rounds ?? (quick ? 1 : 4),
    peers,
    out,
    quick,
    soakS: soakS ?? (quick ? 10 : 60),
    pin,
    protocolS: protocolS ?? (quick ? 2 : 5),
  }
}

function positiveInt(flag: string, text: string): number {
  const n = Number(text)
  if (!Number.isInteger(n) || n < 1 || n > 3_600) throw new Error(`${flag} expects a whole number 1-3600, got ${text}`)
  return n
}
