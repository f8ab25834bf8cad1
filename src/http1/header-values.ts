// A field name and value as a Headers stores them, with the TypeErrors a Headers throws: for the
// plain-JS Headers the proxy edits in place (header-snapshot.ts, answer-fields.ts).

import { isToken } from './codec.ts'

/** Names already checked, as given → lower-cased: the proxy writes the same dozen on every request. */
const checkedNames = new Map<string, string>()

export function normalizedName(name: string): string {
  const known = checkedNames.get(name)
  if (known !== undefined) return known
  // Only tchar names (RFC 9110 §5.6.2), as Headers accepts; anything else throws, as Headers does.
  if (!isToken(name)) throw new TypeError(`Header name is not valid: "${name}"`)
  const lower = name.toLowerCase()
  // Bounded: a client's odd spellings must not grow it without end.
  if (checkedNames.size >= 512) checkedNames.clear()
  checkedNames.set(name, lower)
  return lower
}

/** A value as Headers stores it: a ByteString, HTTP whitespace trimmed, no NUL, CR or LF. */
const PLAIN_VALUE = /^(?:[^\t\n\r \x00\u0100-\uffff](?:[^\x00\n\r\u0100-\uffff]*[^\t\n\r \x00\u0100-\uffff])?)?$/
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g

export function normalizedValue(input: unknown): string {
  const value = String(input)
  if (PLAIN_VALUE.test(value)) return value
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) > 255) throw new TypeError(`The provided value "${value}" is not a valid ByteString`)
  }
  const trimmed = value.replace(EDGE_WHITESPACE, '')
  if (/[\x00\n\r]/.test(trimmed)) throw new TypeError(`Header value is not valid: "${trimmed}"`)
  return trimmed
}
