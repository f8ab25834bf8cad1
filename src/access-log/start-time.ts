// %START_TIME(format)%: Envoy's strftime-like time format, compiled once into parts. Envoy prints
// UTC; besides strftime's fields it has %s (epoch seconds) and %Nf / %f (N digits of the second's
// fraction; %f = 9), and absl's %E<N>S / %E*S (seconds with N fractional digits).

import { isoTime } from '../access-log.ts'

type Part = string | ((d: Date, ms: number) => string)

const pad = (n: number, width = 2) => String(n).padStart(width, '0')
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** The fraction of the second to `digits` places (edgeway's clock has milliseconds: the rest is zeros). */
const fraction = (digits: number) => (_d: Date, ms: number) => pad(((ms % 1000) + 1000) % 1000, 3).padEnd(9, '0').slice(0, digits)

const FIELDS: Readonly<Record<string, (d: Date, ms: number) => string>> = {
  Y: (d) => String(d.getUTCFullYear()),
  y: (d) => pad(d.getUTCFullYear() % 100),
  C: (d) => pad(Math.floor(d.getUTCFullYear() / 100)),
  m: (d) => pad(d.getUTCMonth() + 1),
  d: (d) => pad(d.getUTCDate()),
  e: (d) => String(d.getUTCDate()).padStart(2, ' '),
  H: (d) => pad(d.getUTCHours()),
  I: (d) => pad(d.getUTCHours() % 12 || 12),
  p: (d) => (d.getUTCHours() < 12 ? 'AM' : 'PM'),
  M: (d) => pad(d.getUTCMinutes()),
  S: (d) => pad(d.getUTCSeconds()),
  j: (d) => pad(Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / 86_400_000) + 1, 3),
  a: (d) => DAYS[d.getUTCDay()]!,
  A: (d) => DAY_NAMES[d.getUTCDay()]!,
  b: (d) => MONTHS[d.getUTCMonth()]!,
  h: (d) => MONTHS[d.getUTCMonth()]!,
  B: (d) => MONTH_NAMES[d.getUTCMonth()]!,
  u: (d) => String(d.getUTCDay() || 7),
  w: (d) => String(d.getUTCDay()),
  s: (_d, ms) => String(Math.floor(ms / 1000)),
  z: () => '+0000',
  Z: () => 'UTC',
  T: (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
  R: (d) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`,
  F: (d) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
  D: (d) => `${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCFullYear() % 100)}`,
  f: fraction(9),
  n: () => '\n',
  t: () => '\t',
  '%': () => '%',
}

/** Compiles a time format; an empty or absent one is Envoy's default (ISO 8601 with milliseconds). */
export function compileTimeFormat(format: string | undefined): { format: (ms: number) => string } | { error: string } {
  if (format === undefined || format === '') return { format: isoTime }
  const parts: Part[] = []
  let literal = ''
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!
    if (c !== '%') {
      literal += c
      continue
    }
    const rest = format.slice(i + 1)
    const digits = /^([1-9])f/.exec(rest) ?? /^E([1-9*])S/.exec(rest)
    let field: ((d: Date, ms: number) => string) | undefined
    let length = 1
    if (digits) {
      const n = digits[1] === '*' ? 3 : Number(digits[1])
      field = rest[0] === 'E' ? (d, ms) => `${pad(d.getUTCSeconds())}.${fraction(n)(d, ms)}` : fraction(n)
      length = digits[0].length
    } else field = FIELDS[rest[0] ?? '']
    if (!field) return { error: `"%${rest[0] ?? ''}" is not a time field edgeway knows (in "${format}")` }
    if (literal) parts.push(literal)
    literal = ''
    parts.push(field)
    i += length
  }
  if (literal) parts.push(literal)
  return {
    format: (ms) => {
      const date = new Date(ms)
      let out = ''
      for (const part of parts) out += typeof part === 'string' ? part : part(date, ms)
      return out
    },
  }
}
