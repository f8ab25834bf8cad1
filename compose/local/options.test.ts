import { describe, expect, test } from 'bun:test'
import { parseLaunchOptions, parseScale } from './options.ts'

const noEnv = () => undefined
const envOf = (vars: Record<string, string>) => (name: string) => vars[name]

describe('parseLaunchOptions', () => {
  test('defaults: service1 ×3, service2 ×1, the sandbox ports, bundled Zipkin, 1 s DNS refresh', () => {
    const options = parseLaunchOptions([], noEnv)
    expect(options.scale).toEqual({ service1: 3, service2: 1 })
    expect(options.ports).toEqual({
      frontHttp: 8000,
      frontHttps: 8443,
      frontAdmin: 8001,
      zipkin: 9411,
      dns: 8053,
      replicaIngress: 8000,
      replicaAdmin: 8001,
      replicaApp: 8080,
      replicaEgress: 9000,
    })
    expect(options.ipPrefix).toBe('127.0')
    expect(options.externalZipkinUrl).toBeUndefined()
    expect(options.dnsRefreshRate).toBe('1s')
    expect(options.interactive).toBe(true)
  })

  test('--scale (both spellings), --env per service or for all, --base-port moves every port', () => {
    const options = parseLaunchOptions(
      ['--scale', 'service1=5', '--scale=service2=2', '--env', 'service2:ERROR_RATE=20', '--env=LATENCY_MS=5', '--base-port', '20000', '--ip-prefix', '127.42', '--status-file', '/tmp/s.json', '--no-stdin'],
      noEnv,
    )
    expect(options.scale).toEqual({ service1: 5, service2: 2 })
    expect(options.serviceEnv).toEqual({ service1: { LATENCY_MS: '5' }, service2: { ERROR_RATE: '20', LATENCY_MS: '5' } })
    expect(options.ports).toMatchObject({ frontHttp: 20000, frontHttps: 20443, frontAdmin: 20001, zipkin: 21411, dns: 20053, replicaApp: 20080, replicaEgress: 21000 })
    expect(options).toMatchObject({ ipPrefix: '127.42', statusFile: '/tmp/s.json', interactive: false })
  })

  test('environment variables move single ports and name a real Zipkin', () => {
    const options = parseLaunchOptions([], envOf({ EDGEWAY_HTTP_PORT: '18000', EDGEWAY_ADMIN_PORT: '18001', ZIPKIN_PORT: '19411', DNS_PORT: '15353', ZIPKIN_URL: 'http://zipkin.example:9411', DNS_REFRESH_RATE: '5s' }))
    expect(options.ports).toMatchObject({ frontHttp: 18000, frontAdmin: 18001, zipkin: 19411, dns: 15353, replicaIngress: 8000 })
    expect(options.externalZipkinUrl).toBe('http://zipkin.example:9411')
    expect(options.dnsRefreshRate).toBe('5s')
  })

  test('mistakes are named', () => {
    expect(() => parseLaunchOptions(['--scale', 'service3=1'], noEnv)).toThrow('--scale expects service1=N or service2=N, got "service3=1"')
    expect(() => parseLaunchOptions(['--scale', 'service1=999'], noEnv)).toThrow('at most 254 replicas')
    expect(() => parseLaunchOptions(['--env', 'ERROR RATE'], noEnv)).toThrow('--env expects')
    expect(() => parseLaunchOptions(['--base-port', '65000'], noEnv)).toThrow('too high')
    expect(() => parseLaunchOptions(['--ip-prefix', '10.0'], noEnv)).toThrow('--ip-prefix')
    expect(() => parseLaunchOptions(['--scale'], noEnv)).toThrow('--scale needs a value')
    expect(() => parseLaunchOptions(['--bogus'], noEnv)).toThrow('unknown argument "--bogus"')
    expect(() => parseLaunchOptions([], envOf({ ZIPKIN_PORT: 'x' }))).toThrow('ZIPKIN_PORT must be a port')
    expect(() => parseLaunchOptions([], envOf({ ZIPKIN_URL: 'not a url' }))).toThrow('ZIPKIN_URL is not a URL')
  })

  test('parseScale reads the stdin command argument too; 0 is allowed', () => {
    expect(parseScale(' service1=0 ')).toEqual(['service1', 0])
    expect(parseScale('service2=7')).toEqual(['service2', 7])
  })
})
