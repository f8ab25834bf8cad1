// /config_dump's Envoy shape, and its bootstrap loading back into the same model.

import { describe, expect, test } from 'bun:test'
import { readFileSync } from 'node:fs'
import { loadConfig } from '../load-config.ts'
import { envoyConfigDump } from './config-dump.ts'

const ROOT = new URL('../../../', import.meta.url).pathname
const env: Record<string, string> = { SERVICE_NAME: '1' }

describe('envoyConfigDump', () => {
  const { config } = loadConfig(readFileSync(`${ROOT}routes/sidecar.yaml`, 'utf8'), 'sidecar.yaml', { env: (n) => env[n] })
  const dump = envoyConfigDump(config, Date.UTC(2026, 11, 2))

  test('configs[] in Envoy order, each with its @type', () => {
    expect(dump.configs.map((c) => c['@type'])).toEqual([
      'type.googleapis.com/envoy.admin.v3.BootstrapConfigDump',
      'type.googleapis.com/envoy.admin.v3.ClustersConfigDump',
      'type.googleapis.com/envoy.admin.v3.ListenersConfigDump',
      'type.googleapis.com/envoy.admin.v3.RoutesConfigDump',
    ])
    const [, clusters, listeners, routes] = dump.configs
    expect(clusters!.static_clusters.map((c: any) => c.cluster.name)).toEqual(['local_service', 'service1', 'service2'])
    expect(clusters!.static_clusters[0].cluster['@type']).toBe('type.googleapis.com/envoy.config.cluster.v3.Cluster')
    expect(listeners!.static_listeners.map((l: any) => l.listener.name)).toEqual(['ingress_http', 'egress_http'])
    expect(listeners!.static_listeners[1].listener.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 9000 })
    expect(routes!.static_route_configs.map((r: any) => r.route_config.name)).toEqual(['ingress_http_route', 'egress_http_route'])
    expect(routes!.static_route_configs[0].last_updated).toBe('2026-12-02T00:00:00.000Z')
  })

  test('with TLS: the listener carries its DownstreamTlsContext, and the admin redaction removes the key', async () => {
    const { redactPrivateKeys } = await import('../../admin/certs.ts')
    const front = loadConfig(readFileSync(`${ROOT}routes/front-proxy.yaml`, 'utf8'), `${ROOT}routes/front-proxy.yaml`, { env: () => undefined }).config
    const text = JSON.stringify(redactPrivateKeys(envoyConfigDump(front, 0)))
    expect(text).toContain('envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext')
    expect(text).toContain('BEGIN CERTIFICATE')
    expect(text).not.toContain('PRIVATE KEY')
  })

  test('the bootstrap it holds loads back as a config, into the same model', () => {
    const back = loadConfig(JSON.stringify(dump.configs[0]!.bootstrap), 'dump.json', { env: () => undefined })
    expect(back.format).toBe('envoy')
    expect(back.config).toEqual(config)
  })

  test('resources from LDS / CDS files are dumped as dynamic ones, and the bootstrap names the files', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const dir = mkdtempSync(`${tmpdir()}/edgeway-dump-`)
    for (const file of ['lds.yaml', 'cds.yaml']) writeFileSync(`${dir}/${file}`, readFileSync(`${ROOT}test/fixtures/envoy/dynamic-config-fs/${file}`, 'utf8'))
    const bootstrap = readFileSync(`${ROOT}test/fixtures/envoy/dynamic-config-fs/envoy.yaml`, 'utf8').replaceAll('/var/lib/envoy', dir)
    const loaded = loadConfig(bootstrap, `${dir}/envoy.yaml`, { env: () => undefined }).config
    const [boot, clusters, listeners] = envoyConfigDump(loaded, 0, '3').configs
    expect(clusters!.static_clusters).toEqual([])
    expect(clusters!.dynamic_active_clusters.map((c: any) => [c.version_info, c.cluster.name])).toEqual([['3', 'example_proxy_cluster']])
    expect(listeners!.dynamic_listeners.map((l: any) => [l.name, l.active_state.listener.name])).toEqual([['listener_0', 'listener_0']])
    expect(boot!.bootstrap.dynamic_resources).toEqual({ lds_config: { path_config_source: { path: `${dir}/lds.yaml` } }, cds_config: { path_config_source: { path: `${dir}/cds.yaml` } } })
    const back = loadConfig(JSON.stringify(boot!.bootstrap), `${dir}/dump.json`, { env: () => undefined })
    expect(back.config).toEqual(loaded)
    // convert inlines them, and says so.
    const { convertConfig } = await import('../convert.ts')
    const compact = convertConfig(loadConfig(bootstrap, `${dir}/envoy.yaml`, { env: () => undefined }), 'compact')
    expect(compact).toContain(`#   clusters of ${dir}/cds.yaml\n`)
    expect(loadConfig(compact, `${dir}/compact.yaml`, { env: () => undefined }).config.clusters.map((c) => c.name)).toEqual(['example_proxy_cluster'])
  })
})
