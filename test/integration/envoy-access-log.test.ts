// Envoy's access-log log_format through the real CLI: a text format and a JSON dictionary of
// command operators on the sandbox's front proxy, written to stdout one line per request; on Bun and Deno.

import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { envoyFixture, type Doc } from '../support/envoy-fixture.ts'
import { ProcessGroup, eventually } from '../support/edgeway-processes.ts'
import { startUpstream, type Upstream } from '../support/upstream.ts'

let service1: Upstream
let service2: Upstream
const group = new ProcessGroup()

beforeAll(async () => {
  service1 = await startUpstream({ name: 'service1' })
  service2 = await startUpstream({ name: 'service2' })
})

afterAll(async () => {
  await group.stopAll()
  await Promise.all([service1?.stop(), service2?.stop()])
})

const STDOUT = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StdoutAccessLog'
const FILE = 'type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog'
const STDERR = 'type.googleapis.com/envoy.extensions.access_loggers.stream.v3.StderrAccessLog'
const at = (u: Upstream) => [{ address: u.address, port: u.port }]

function withLogFormat(logFormat: Doc): string {
  return envoyFixture('front-proxy.yaml', { service1: at(service1), service2: at(service2) }, [], (doc) => {
    for (const listener of doc.static_resources.listeners) {
      const hcm = listener.filter_chains[0].filters[0].typed_config
      hcm.access_log = [{ name: 'envoy.access_loggers.stdout', typed_config: { '@type': STDOUT, log_format: logFormat } }]
    }
  })
}

const lines = (out: string, marker: string) => out.split('\n').filter((line) => line.includes(marker))

for (const runtime of ['bun', 'deno'] as const) {
  describe(runtime, () => {
    test('text_format_source: the operators of each request, one line each', async () => {
      const format = 'edge %REQ(:METHOD)% %REQ(:PATH)% %RESPONSE_CODE% %RESPONSE_FLAGS% %UPSTREAM_CLUSTER% %REQ(X-USER?USER-AGENT)% %DOWNSTREAM_REMOTE_ADDRESS_WITHOUT_PORT% %START_TIME(%Y)% %ROUTE_NAME%\n'
      const proxy = await group.proxy(`text-format-${runtime}`, withLogFormat({ text_format_source: { inline_string: format } }), {}, { runtime, args: ['--concurrency', '1'] })
      expect((await fetch(`${proxy.url('listener_0')}/service/1`, { headers: { 'x-user': 'ada' } })).status).toBe(200)
      await (await fetch(`${proxy.url('listener_0')}/nothing`, { headers: { 'user-agent': 'probe/1' } })).arrayBuffer()
      const found = await eventually('two access-log lines', async () => {
        const seen = lines(proxy.process.stdout(), 'edge ')
        return seen.length >= 2 ? seen : undefined
      })
      const year = new Date().getUTCFullYear()
      expect(found).toEqual([`edge GET /service/1 200 - service1 ada 127.0.0.1 ${year} -`, `edge GET /nothing 404 NR - probe/1 127.0.0.1 ${year} -`])
    })

    test('json_format: numbers stay numbers, unset values are null, omit_empty_values drops them', async () => {
      const json = { code: '%RESPONSE_CODE%', bytes: '%BYTES_SENT%', cluster: '%UPSTREAM_CLUSTER%', request: '%REQ(:METHOD)% %REQ(:PATH)%', attempts: '%UPSTREAM_REQUEST_ATTEMPT_COUNT%', marker: 'json-log' }
      const proxy = await group.proxy(`json-format-${runtime}`, withLogFormat({ json_format: json }), {}, { runtime, args: ['--concurrency', '1'] })
      const body = await (await fetch(`${proxy.url('listener_0')}/service/2`)).arrayBuffer()
      await (await fetch(`${proxy.url('listener_0')}/nothing`)).arrayBuffer()
      const found = await eventually('two JSON lines', async () => {
        const seen = lines(proxy.process.stdout(), '"json-log"')
        return seen.length >= 2 ? seen.map((line) => JSON.parse(line)) : undefined
      })
      expect(found).toEqual([
        { code: 200, bytes: body.byteLength, cluster: 'service2', request: 'GET /service/2', attempts: 1, marker: 'json-log' },
        { code: 404, bytes: 0, cluster: null, request: 'GET /nothing', attempts: 0, marker: 'json-log' },
      ])

      const omitting = await group.proxy(`json-omit-${runtime}`, withLogFormat({ json_format: json, omit_empty_values: true }), {}, { runtime, args: ['--concurrency', '1'] })
      await (await fetch(`${omitting.url('listener_0')}/nothing`)).arrayBuffer()
      const line = await eventually('the JSON line', async () => lines(omitting.process.stdout(), '"json-log"')[0])
      expect(JSON.parse(line)).toEqual({ code: 404, bytes: 0, request: 'GET /nothing', attempts: 0, marker: 'json-log' })
    })

    test('the file logger appends its lines to its file, not stdout', async () => {
      const file = join(group.dir, `access-${runtime}.log`)
      const yaml = envoyFixture('front-proxy.yaml', { service1: at(service1), service2: at(service2) }, [], (doc) => {
        const hcm = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config
        hcm.access_log = [{ name: 'envoy.access_loggers.file', typed_config: { '@type': FILE, path: file, log_format: { json_format: { code: '%RESPONSE_CODE%', path: '%REQ(:PATH)%' } } } }]
      })
      const proxy = await group.proxy(`file-log-${runtime}`, yaml, {}, { runtime, args: ['--concurrency', '1'] })
      await (await fetch(`${proxy.url('listener_0')}/service/1`)).arrayBuffer()
      await (await fetch(`${proxy.url('listener_0')}/nothing`)).arrayBuffer()
      const read = () => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line)) : [])
      expect(await eventually('two lines in the file', async () => (read().length >= 2 ? read() : undefined))).toEqual([
        { code: 200, path: '/service/1' },
        { code: 404, path: '/nothing' },
      ])
      expect(proxy.process.stdout()).not.toContain('"code"')
    })

    test('the stderr logger writes to stderr', async () => {
      const yaml = envoyFixture('front-proxy.yaml', { service1: at(service1), service2: at(service2) }, [], (doc) => {
        const hcm = doc.static_resources.listeners[0].filter_chains[0].filters[0].typed_config
        hcm.access_log = [{ name: 'envoy.access_loggers.stderr', typed_config: { '@type': STDERR, log_format: { text_format: 'on-stderr %RESPONSE_CODE% %REQ(:PATH)%\n' } } }]
      })
      const proxy = await group.proxy(`stderr-log-${runtime}`, yaml, {}, { runtime, args: ['--concurrency', '1'] })
      await (await fetch(`${proxy.url('listener_0')}/service/2`)).arrayBuffer()
      expect(await eventually('the line on stderr', async () => lines(proxy.process.stderr(), 'on-stderr')[0])).toBe('on-stderr 200 /service/2')
      expect(proxy.process.stdout()).not.toContain('on-stderr')
    })

    test('an unknown operator stops the load: exit 1, named with its path', async () => {
      const path = group.write(`bad-format-${runtime}`, withLogFormat({ text_format: '%RESPONSE_CODE% %NO_SUCH_THING%\n' }))
      const child = group.spawn(['--mode', 'validate', '-c', path], {}, runtime)
      expect(await child.exited).toBe(1)
      expect(child.stderr()).toContain('filter_chains[0].filters[0].typed_config.access_log[0].typed_config.log_format.text_format: %NO_SUCH_THING% is not a command operator edgeway knows')
      expect(child.stderr()).not.toContain('    at ')
    })
  })
}
