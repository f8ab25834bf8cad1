// The authority of a request URL from a Host value, as Bun's server's URL parser (WebKit's, WHATWG
// rules) serialises it: the name lower-cased and percent-decoded, an IPv4 address in any of its
// number forms written dotted-decimal, the port without leading zeros and dropped when it is the
// scheme's default. Undefined where that parser refuses the authority (a port that is not a
// number or past 65535, a forbidden code point, a name that ends in a number but is no IPv4
// address). ASCII names are done here; an IPv6 literal, or a name that percent-decodes to
// non-ASCII (IDNA), goes to the runtime's URL parser, which agrees with Bun's server on those.
// Measured difference kept on purpose: for an ASCII `xn--` label, Bun's server does not check the
// punycode (`xn--a` passes) where its `new URL` refuses it: this follows the server.

// WHATWG's forbidden domain code points among what a Host value holds here.
const FORBIDDEN = new Uint8Array(128)
for (let c = 0; c <= 0x20; c++) FORBIDDEN[c] = 1
for (const c of '#%/:<>?@[\\]^|') FORBIDDEN[c.charCodeAt(0)] = 1
FORBIDDEN[0x7f] = 1

export function canonicalAuthority(host: string, scheme: 'http' | 'https'): string | undefined {
  let nameEnd: number
  let name: string | undefined
  if (host.charCodeAt(0) === 91 /* [ */) {
    nameEnd = host.indexOf(']') + 1
    if (nameEnd === 0) return undefined
    name = viaUrl(host.slice(0, nameEnd))
  } else {
    nameEnd = host.indexOf(':')
    if (nameEnd < 0) nameEnd = host.length
    name = domainOrAddress(host.slice(0, nameEnd))
  }
  if (name === undefined) return undefined
  if (nameEnd === host.length) return name
  if (host.charCodeAt(nameEnd) !== 58) return undefined
  const port = portOf(host, nameEnd + 1, scheme)
  return port === undefined ? undefined : port === '' ? name : `${name}:${port}`
}

/** The port's digits after the colon: '' for none or the default, undefined if not a port. */
function portOf(host: string, from: number, scheme: 'http' | 'https'): string | undefined {
  let value = 0
  for (let i = from; i < host.length; i++) {
    const digit = host.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return undefined
    value = value * 10 + digit
    if (value > 65535) return undefined
  }
  if (from === host.length || value === (scheme === 'http' ? 80 : 443)) return ''
  return String(value)
}

function domainOrAddress(raw: string): string | undefined {
  if (raw.length === 0) return undefined
  let name = raw
  if (raw.includes('%')) {
    const decoded = percentDecoded(raw)
    // Past ASCII the name is an IDN: UTS #46 mapping and punycode, the URL parser's work.
    if (decoded === undefined) return viaUrl(raw)
    name = decoded
  }
  name = name.toLowerCase()
  for (let i = 0; i < name.length; i++) if (FORBIDDEN[name.charCodeAt(i)] === 1) return undefined
  return endsInNumber(name) ? ipv4(name) : name
}

/** The host part of `http://<authority>/` as the runtime's URL parser writes it; undefined where it refuses. */
function viaUrl(authority: string): string | undefined {
  try {
    return new URL(`http://${authority}/`).host
  } catch {
    return undefined
  }
}

/** `%XX` sequences decoded (others left as they are); undefined when a decoded byte is past ASCII. */
function percentDecoded(raw: string): string | undefined {
  let out = ''
  let run = 0
  for (let i = raw.indexOf('%'); i >= 0 && i < raw.length; i = raw.indexOf('%', i + 1)) {
    const high = hexValue(raw.charCodeAt(i + 1))
    const low = hexValue(raw.charCodeAt(i + 2))
    if (high < 0 || low < 0) continue
    const byte = high * 16 + low
    if (byte > 0x7f) return undefined
    out += raw.slice(run, i) + String.fromCharCode(byte)
    run = i + 3
    i += 2
  }
  return out + raw.slice(run)
}

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48
  const lower = code | 0x20
  return lower >= 97 && lower <= 102 ? lower - 87 : -1
}

/** WHATWG's "ends in a number": the last label (one trailing dot aside) is decimal or 0x-hex. */
function endsInNumber(name: string): boolean {
  let end = name.length
  if (end > 1 && name.charCodeAt(end - 1) === 46) end--
  const start = name.lastIndexOf('.', end - 1) + 1
  if (start === end) return false
  let digits = true
  for (let i = start; i < end && digits; i++) digits = isDigit(name.charCodeAt(i))
  if (digits) return true
  if (end - start < 2 || name.charCodeAt(start) !== 48 || name.charCodeAt(start + 1) !== 120) return false
  for (let i = start + 2; i < end; i++) if (hexValue(name.charCodeAt(i)) < 0) return false
  return true
}

// An address already as the parser writes it: four decimal parts of 0-255 without leading zeros.
const DOTTED_QUAD = /^(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])$/

/** WHATWG's IPv4 parser: up to four parts, each decimal, 0x-hex or 0-octal; dotted-decimal out. */
function ipv4(name: string): string | undefined {
  if (DOTTED_QUAD.test(name)) return name
  const parts = name.split('.')
  if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop()
  if (parts.length > 4) return undefined
  const numbers: number[] = []
  for (const part of parts) {
    const value = ipv4Number(part)
    if (value === undefined) return undefined
    numbers.push(value)
  }
  const last = numbers.length - 1
  for (let i = 0; i < last; i++) if (numbers[i]! > 255) return undefined
  if (numbers[last]! >= 256 ** (4 - last)) return undefined
  let address = numbers[last]!
  for (let i = 0; i < last; i++) address += numbers[i]! * 256 ** (3 - i)
  return `${Math.floor(address / 16777216)}.${Math.floor(address / 65536) % 256}.${Math.floor(address / 256) % 256}.${address % 256}`
}

function ipv4Number(part: string): number | undefined {
  if (part.length === 0) return undefined
  let radix = 10
  let from = 0
  if (part.length >= 2 && part.charCodeAt(0) === 48 && (part.charCodeAt(1) | 0x20) === 120) {
    radix = 16
    from = 2
  } else if (part.length >= 2 && part.charCodeAt(0) === 48) {
    radix = 8
    from = 1
  }
  let value = 0
  for (let i = from; i < part.length; i++) {
    const digit = hexValue(part.charCodeAt(i))
    if (digit < 0 || digit >= radix) return undefined
    value = value * radix + digit
  }
  return value
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57
}
