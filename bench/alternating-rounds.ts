// What the in-process ns-per-call benches share (request-head-cost.ts, response-head-cost.ts): CPU
// ns per call by process.cpuUsage, contenders measured in turn within each round so a machine's
// swing lands on all of them, and min / median / max of the rounds.

export const runtimeLabel = typeof Bun !== 'undefined' ? `bun ${Bun.version}` : `deno ${(globalThis as unknown as { Deno: { version: { deno: string } } }).Deno.version.deno}`

/** CPU ns per call of `run(input)` over `calls` calls (the input passed, not closed over, as a parser is called). */
export function nsPerCall<T>(calls: number, run: (input: T) => void, input: T): number {
  const before = process.cpuUsage()
  for (let i = 0; i < calls; i++) run(input)
  const used = process.cpuUsage(before)
  return ((used.user + used.system) * 1000) / calls
}

/** Each contender's "min / median / max" ns over `rounds` rounds, after one warm-up each (all compiled before any round counts). */
export function alternate(rounds: number, contenders: readonly (() => number)[]): string[] {
  const runs = contenders.map(() => [] as number[])
  for (const measure of contenders) measure()
  for (let r = 0; r < rounds; r++) contenders.forEach((measure, i) => runs[i]!.push(measure()))
  return runs.map((values) => {
    const sorted = values.sort((a, b) => a - b)
    return `${sorted[0]!.toFixed(0)} / ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} / ${sorted[sorted.length - 1]!.toFixed(0)}`
  })
}
