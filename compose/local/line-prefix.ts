// Compose-style output: every line a child writes comes out as `service1-2/app      | ...`, one
// colour per replica when the terminal shows colours, and a partial line waits for its newline.

const PALETTE = [36, 33, 32, 35, 34, 91, 96, 93, 92, 95, 94] // ANSI foreground codes, Compose's order

export const PREFIX_WIDTH = 20

export function paint(text: string, colourIndex: number | undefined): string {
  if (colourIndex === undefined) return text
  return `\x1b[${PALETTE[colourIndex % PALETTE.length]}m${text}\x1b[0m`
}

export function formatPrefix(name: string, colourIndex: number | undefined): string {
  return paint(`${name.padEnd(PREFIX_WIDTH)}|`, colourIndex)
}

export type LineSink = {
  push(chunk: string): void
  /** Writes what is left without a trailing newline (the child exited mid-line). */
  flush(): void
}

export function prefixLines(prefix: string, write: (text: string) => void): LineSink {
  let pending = ''
  return {
    push(chunk) {
      const text = pending + chunk
      const lines = text.split('\n')
      pending = lines.pop()!
      if (lines.length > 0) write(lines.map((line) => `${prefix} ${line.replace(/\r$/, '')}\n`).join(''))
    },
    flush() {
      if (pending !== '') write(`${prefix} ${pending}\n`)
      pending = ''
    },
  }
}
