import { describe, expect, test } from 'bun:test'
import { AdminRequest, adminRouter, type AdminEndpoint } from './admin-router.ts'

const text = (body: string, status = 200) => new Response(body, { status, headers: { 'content-type': 'text/plain' } })

function router(endpoints: readonly AdminEndpoint[], before?: (path: string) => Promise<void>) {
  return adminRouter(endpoints, {
    ...(before && { before }),
    notFound: () => text('nothing here\n', 404),
    methodNotAllowed: (path, methods) => text(`${path}: ${methods.join(' or ')}\n`, 405),
    error: (error) => text(`error: ${error instanceof Error ? error.message : String(error)}\n`, 500),
  })
}

describe('admin router', () => {
  test('dispatches by exact path and method; the first endpoint of a path and method wins', async () => {
    const app = router([
      { path: '/stats', method: 'GET', help: '', handle: () => text('stats\n') },
      { path: '/stats', method: 'GET', help: '', handle: () => text('second\n') },
      { path: '/reset', method: 'POST', help: '', handle: () => text('reset\n') },
    ])
    expect(await (await app.request('/stats')).text()).toBe('stats\n')
    expect(await (await app.request('/reset', { method: 'POST' })).text()).toBe('reset\n')
    // No trailing-slash or prefix matching: Envoy's admin paths are exact.
    expect((await app.request('/stats/')).status).toBe(404)
    expect((await app.request('/statsx')).status).toBe(404)
  })

  test('a known path with another method is 405 with the methods it takes; HEAD is GET without a body', async () => {
    const app = router([
      { path: '/logging', method: 'GET', help: '', handle: () => text('levels\n') },
      { path: '/logging', method: 'POST', help: '', handle: () => text('changed\n') },
      { path: '/reset', method: 'POST', help: '', handle: () => text('reset\n') },
    ])
    const put = await app.request('/logging', { method: 'PUT' })
    expect(put.status).toBe(405)
    expect(await put.text()).toBe('/logging: GET or POST\n')
    const head = await app.request('/logging', { method: 'HEAD' })
    expect(head.status).toBe(200)
    expect(head.headers.get('content-type')).toBe('text/plain')
    expect(await head.text()).toBe('')
    const headPostOnly = await app.request('/reset', { method: 'HEAD' })
    expect(headPostOnly.status).toBe(405)
    expect(await headPostOnly.text()).toBe('')
  })

  test('every answer carries no-cache and nosniff: found, 404, 405 and errors, Error or not', async () => {
    const app = router([
      { path: '/ok', method: 'GET', help: '', handle: () => text('ok\n') },
      { path: '/broken', method: 'GET', help: '', handle: () => Promise.reject(new Error('disk gone')) },
      { path: '/thrown', method: 'GET', help: '', handle: () => { throw 'a string' } },
    ])
    for (const [path, status] of [['/ok', 200], ['/nope', 404], ['/broken', 500], ['/thrown', 500]] as const) {
      const response = await app.request(path)
      expect(response.status).toBe(status)
      expect(response.headers.get('cache-control')).toBe('no-cache, max-age=0')
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
    }
    expect(await (await app.request('/broken')).text()).toBe('error: disk gone\n')
    expect(await (await app.request('/thrown')).text()).toBe('error: a string\n')
  })

  test('`before` runs with the path ahead of every request, 404s too, and its failure is a 500', async () => {
    const seen: string[] = []
    let fail = false
    const app = router([{ path: '/stats', method: 'GET', help: '', handle: () => text('stats\n') }], async (path) => {
      seen.push(path)
      if (fail) throw new Error('workers did not answer')
    })
    await app.request('/stats?usedonly')
    await app.request('/missing')
    expect(seen).toEqual(['/stats', '/missing'])
    fail = true
    const failed = await app.request('/stats')
    expect(failed.status).toBe(500)
    expect(await failed.text()).toBe('error: workers did not answer\n')
  })

  test('fetch takes the listener’s absolute URLs; request takes a path, a URL or a Request', async () => {
    const app = router([{ path: '/ready', method: 'GET', help: '', handle: (c) => text(`${c.req.path}\n`) }])
    expect(await (await app.fetch(new Request('http://127.0.0.1:8001/ready?x=1'))).text()).toBe('/ready\n')
    expect(await (await app.request('ready')).text()).toBe('/ready\n')
    expect(await (await app.request(new URL('http://localhost/ready'))).text()).toBe('/ready\n')
    expect(await (await app.request(new Request('http://localhost/ready'))).text()).toBe('/ready\n')
  })
})

describe('admin request', () => {
  const request = (url: string, init?: RequestInit) => new AdminRequest(new Request(url, init))

  test('the path is percent-decoded when it holds escapes, and kept when they are malformed', () => {
    expect(request('http://localhost/st%61ts?filter=%2E').path).toBe('/stats')
    expect(request('http://localhost/bad%E0%A4%A').path).toBe('/bad%E0%A4%A')
    expect(request('http://localhost').path).toBe('/')
  })

  test('query: first value, "" for a bare flag, undefined when absent, + and escapes decoded', () => {
    const req = request('http://localhost/stats?filter=a%2Bb&filter=second&usedonly&level=debug+x')
    expect(req.query('filter')).toBe('a+b')
    expect(req.query('usedonly')).toBe('')
    expect(req.query('format')).toBeUndefined()
    expect(req.query('level')).toBe('debug x')
    expect(req.query()).toEqual({ filter: 'a+b', usedonly: '', level: 'debug x' })
    expect(request('http://localhost/stats').query()).toEqual({})
  })

  test('header, text and json read the request', async () => {
    expect(request('http://localhost/', { headers: { 'Content-Type': 'application/json' } }).header('content-type')).toBe('application/json')
    expect(request('http://localhost/').header('content-type')).toBeUndefined()
    expect(await request('http://localhost/', { method: 'POST', body: 'a=1' }).text()).toBe('a=1')
    expect(await request('http://localhost/', { method: 'POST', body: '{"ok":true}' }).json()).toEqual({ ok: true })
  })
})
