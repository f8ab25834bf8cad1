// Finds access-log lines in a proxy's output. Lines are written in batches once per tick, after
// the response body finished, so tests poll for the line instead of reading at once.

/** Text-format lines for `METHOD path` (exact path, query included). */
export function linesFor(output: string, method: string, path: string): string[] {
  const needle = `"${method} ${path} HTTP/1.1"`
  return output.split('\n').filter((line) => line.includes(needle))
}

/**
 * Waits until `output()` holds a text-format line for `METHOD path`; returns the first. Deadlines in
 * these helpers run on the monotonic clock: a VM's wall clock can step forward by seconds (one such
 * step failed a 5 s wait 655 ms into a test), and Date.now() would count the step as waiting.
 */
export async function waitForLine(output: () => string, method: string, path: string, timeoutMs = 5_000): Promise<string> {
  const deadline = performance.now() + timeoutMs
  for (;;) {
    const [line] = linesFor(output(), method, path)
    if (line) return line
    if (performance.now() > deadline) throw new Error(`no access-log line for ${method} ${path} within ${timeoutMs} ms; output:\n${output()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

/** Status and response flags of a text-format line: `"GET /x HTTP/1.1" 503 UF ...` → [503, 'UF']. */
export function statusAndFlags(line: string): [number, string] {
  const match = /" (\d{3}) (\S+) /.exec(line)
  if (!match) throw new Error(`not an access-log line: ${line}`)
  return [Number(match[1]), match[2]!]
}
