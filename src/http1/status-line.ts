// The status line of a response the byte listener writes, as bytes made once per status code. The
// reason phrase is the standard one for the code, never the Response's statusText: Bun's server writes
// its own table's phrase whatever statusText says, and so does Envoy (a reason phrase carries
// nothing a client may act on, RFC 9112 §4). The table is Bun's server's (test/integration/
// response-writer-differential.test.ts pins it); an unlisted code gets Envoy's `Unknown` where Bun
// writes `HM`.

const REASONS: Readonly<Record<number, string>> = {
  100: 'Continue', 101: 'Switching Protocols', 102: 'Processing', 103: 'Early Hints',
  200: 'OK', 201: 'Created', 202: 'Accepted', 203: 'Non-Authoritative Information', 204: 'No Content',
  205: 'Reset Content', 206: 'Partial Content', 207: 'Multi-Status', 208: 'Already Reported', 226: 'IM Used',
  300: 'Multiple Choices', 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 304: 'Not Modified',
  305: 'Use Proxy', 306: 'Switch Proxy', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Payload Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
  418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Entity', 423: 'Locked',
  424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error', 501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable',
  504: 'Gateway Timeout', 505: 'HTTP Version Not Supported', 506: 'Variant Also Negotiates',
  507: 'Insufficient Storage', 508: 'Loop Detected', 510: 'Not Extended', 511: 'Network Authentication Required',
}

/** The reason phrase written for `status`. */
export function reasonPhrase(status: number): string {
  return REASONS[status] ?? 'Unknown'
}

const encoder = new TextEncoder()
/** `HTTP/1.1 <status> <reason>\r\n` by status code, made on first use (index: the code). */
const LINES: (Uint8Array | undefined)[] = []

/** The status line's bytes (shared: never change them). `status` is 100-999 (a Response's is 200-599). */
export function statusLine(status: number): Uint8Array {
  return (LINES[status] ??= encoder.encode(`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\n`))
}
