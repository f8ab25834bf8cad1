// The admin listener's dispatch: endpoints by exact path and method, the two headers every admin
// answer carries, 405 with `allow`, the help text on 404, and `admin error:` on 500.
// Written instead of a Hono app because the admin's routing is a map lookup, and Hono's code
// (routers built and compiled on the first request) stayed resident in every serving process:
// ~4 MiB of RSS on Bun, for endpoints a health checker calls once a second (bench/README, Memory).

/** What an endpoint reads of its request: the part of Hono's `c.req` the admin endpoints use. */
export class AdminRequest {
  readonly raw: Request
  /** The path, percent-decoded when it holds escapes (as Hono matched it). */
  readonly path: string
  readonly #search: string
  #params: URLSearchParams | undefined

  constructor(request: Request) {
    this.raw = request
    const url = request.url
    const start = url.indexOf('/', url.indexOf('://') + 3)
    const queryAt = start < 0 ? -1 : url.indexOf('?', start)
    const path = start < 0 ? '/' : url.slice(start, queryAt < 0 ? undefined : queryAt)
    this.path = path.includes('%') ? decodedPath(path) : path
    this.#search = queryAt < 0 ? '' : url.slice(queryAt + 1)
  }

  /** One parameter's first value ('' for `?usedonly`), or undefined; or every parameter's first value. */
  query(): Record<string, string>
  query(name: string): string | undefined
  query(name?: string): string | undefined | Record<string, string> {
    this.#params ??= new URLSearchParams(this.#search)
    if (name !== undefined) return this.#params.get(name) ?? undefined
    const all: Record<string, string> = {}
    for (const [key, value] of this.#params) if (!(key in all)) all[key] = value
    return all
  }

  header(name: string): string | undefined {
    return this.raw.headers.get(name) ?? undefined
  }

  text(): Promise<string> {
    return this.raw.text()
  }

  json(): Promise<unknown> {
    return this.raw.json()
  }
}

export type AdminContext = { readonly req: AdminRequest }

export type AdminEndpoint = {
  readonly path: string
  readonly method: 'GET' | 'POST'
  readonly help: string
  readonly handle: (c: AdminContext) => Response | Promise<Response>
}

export type AdminRouterOptions = {
  /** Runs before every admin request (404s too), with the request's path. */
  readonly before?: (path: string) => Promise<void>
  readonly notFound: () => Response
  readonly methodNotAllowed: (path: string, methods: readonly string[]) => Response
  readonly error: (error: unknown) => Response
}

/** The admin app: `fetch` for the listener, `request` (a path or URL) for tests, as Hono's app had. */
export type AdminApp = {
  fetch(request: Request): Promise<Response>
  request(input: string | URL | Request, init?: RequestInit): Promise<Response>
}

export function adminRouter(endpoints: readonly AdminEndpoint[], options: AdminRouterOptions): AdminApp {
  const byPath = new Map<string, Map<string, AdminEndpoint>>()
  for (const endpoint of endpoints) {
    let methods = byPath.get(endpoint.path)
    if (!methods) byPath.set(endpoint.path, (methods = new Map()))
    // The first registration of a path and method wins, as Hono's router did.
    if (!methods.has(endpoint.method)) methods.set(endpoint.method, endpoint)
  }

  const dispatch = async (request: Request): Promise<Response> => {
    const req = new AdminRequest(request)
    let response: Response
    try {
      await options.before?.(req.path)
      const methods = byPath.get(req.path)
      // HEAD is GET without the body (Hono's rule, and Envoy's admin answers HEAD the same way).
      const method = request.method === 'HEAD' ? 'GET' : request.method
      const endpoint = methods?.get(method)
      if (endpoint) response = await endpoint.handle({ req })
      else if (methods) response = options.methodNotAllowed(req.path, [...methods.keys()])
      else response = options.notFound()
    } catch (error) {
      response = options.error(error)
    }
    response.headers.set('cache-control', 'no-cache, max-age=0')
    response.headers.set('x-content-type-options', 'nosniff')
    return request.method === 'HEAD' ? new Response(null, response) : response
  }

  return {
    fetch: dispatch,
    request: (input, init) => dispatch(input instanceof Request ? input : new Request(absolute(input), init)),
  }
}

/** `/ready` → http://localhost/ready, as Hono's app.request() takes a bare path. */
function absolute(input: string | URL): string | URL {
  if (input instanceof URL || /^https?:\/\//.test(input)) return input
  return `http://localhost${input.startsWith('/') ? '' : '/'}${input}`
}

function decodedPath(path: string): string {
  try {
    return decodeURI(path)
  } catch {
    return path
  }
}
