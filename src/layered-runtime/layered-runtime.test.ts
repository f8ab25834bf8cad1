import { describe, expect, test } from 'bun:test'
import { LayeredRuntime } from './layered-runtime.ts'
import { percentHits } from './fractional-percent.ts'
import { StatsStore } from '../stats/stats-store.ts'

const sequence = (...values: number[]) => {
  let i = 0
  return () => values[i++ % values.length]!
}

describe('LayeredRuntime', () => {
  test('later layers win; a key no layer sets leaves the default', () => {
    const runtime = new LayeredRuntime(
      { layers: [{ name: 'base', kind: 'static', values: { 'fault.http.abort.abort_percent': '10', 'x.y': 'a' } }, { name: 'admin', kind: 'admin' }] },
      { serviceCluster: '' },
    )
    expect(runtime.getInteger('fault.http.abort.abort_percent', 0)).toBe(10)
    expect(runtime.getInteger('missing', 7)).toBe(7)
    expect(runtime.getInteger('x.y', 7)).toBe(7)
    expect(runtime.modify({ 'fault.http.abort.abort_percent': '50' })).toEqual({ ok: true })
    expect(runtime.getInteger('fault.http.abort.abort_percent', 0)).toBe(50)
    expect(runtime.adminValues()).toEqual({ 'fault.http.abort.abort_percent': '50' })
    // An empty value removes the override: the static layer's value is back.
    runtime.modify({ 'fault.http.abort.abort_percent': '' })
    expect(runtime.getInteger('fault.http.abort.abort_percent', 0)).toBe(10)
  })

  test('without an admin layer, /runtime_modify has nowhere to write (as Envoy)', () => {
    const runtime = new LayeredRuntime({ layers: [{ name: 's', kind: 'static', values: {} }] }, { serviceCluster: '' })
    expect(runtime.modify({ a: '1' })).toEqual({ ok: false, problem: 'No admin layer specified' })
  })

  test('featureEnabled: a whole number is a percentage, above 100 always; a FractionalPercent as given; else the default', () => {
    const runtime = new LayeredRuntime(
      { layers: [{ name: 's', kind: 'static', values: { half: '50', over: '250', frac: { numerator: 1, denominator: 10_000 }, text: 'yes' } }] },
      { serviceCluster: '' },
    )
    const never = { numerator: 0, denominator: 100 } as const
    expect(runtime.featureEnabled('half', never, () => 0.49)).toBe(true)
    expect(runtime.featureEnabled('half', never, () => 0.5)).toBe(false)
    expect(runtime.featureEnabled('over', never, () => 0.999)).toBe(true)
    expect(runtime.featureEnabled('frac', never, () => 0.00009)).toBe(true)
    expect(runtime.featureEnabled('frac', never, () => 0.0001)).toBe(false)
    expect(runtime.featureEnabled('text', never, () => 0)).toBe(false)
    expect(runtime.featureEnabled('missing', { numerator: 1, denominator: 100 }, () => 0)).toBe(true)
  })

  test('a disk layer is read at start and again when its symlink_root points somewhere new', () => {
    let target = '/srv/v1'
    const files: Record<string, Map<string, string>> = {
      '/srv/current/envoy': new Map([['fault.http.abort.abort_percent', '0']]),
    }
    const runtime = new LayeredRuntime(
      { layers: [{ name: 'disk', kind: 'disk', symlinkRoot: '/srv/current', subdirectory: 'envoy', appendServiceCluster: false }] },
      { serviceCluster: 'front', readDiskLayer: (path) => files[path] ?? new Map(), symlinkTarget: () => target },
    )
    expect(runtime.getInteger('fault.http.abort.abort_percent', 9)).toBe(0)
    files['/srv/current/envoy'] = new Map([['fault.http.abort.abort_percent', '100']])
    // The files changed but the link did not: Envoy reloads on a swap only.
    expect(runtime.refreshDisk()).toBe(false)
    expect(runtime.getInteger('fault.http.abort.abort_percent', 9)).toBe(0)
    target = '/srv/v2'
    expect(runtime.refreshDisk()).toBe(true)
    expect(runtime.getInteger('fault.http.abort.abort_percent', 9)).toBe(100)
  })

  test('append_service_cluster reads the service cluster\'s folder', () => {
    const seen: string[] = []
    new LayeredRuntime(
      { layers: [{ name: 'disk', kind: 'disk', symlinkRoot: '/srv/current', subdirectory: 'override', appendServiceCluster: true }] },
      { serviceCluster: 'front', readDiskLayer: (path) => (seen.push(path), new Map()), symlinkTarget: () => 'x' },
    )
    expect(seen).toEqual(['/srv/current/override/front'])
  })
})

describe('percentHits', () => {
  test('random % denominator < numerator', () => {
    const tenth = { numerator: 1, denominator: 10 as never }
    expect(percentHits({ numerator: 25, denominator: 100 }, sequence(0.24))).toBe(true)
    expect(percentHits({ numerator: 25, denominator: 100 }, sequence(0.25))).toBe(false)
    expect(percentHits({ numerator: 0, denominator: 100 }, sequence(0))).toBe(false)
    expect(percentHits({ numerator: 100, denominator: 100 }, sequence(0.9999))).toBe(true)
    expect(percentHits(tenth, sequence(0.05))).toBe(true)
  })
})

describe("Envoy's runtime.* stats", () => {
  const stat = (store: StatsStore, name: string) => store.get(`runtime.${name}`).value

  test('each load counts: at start, at /runtime_modify; keys, layers and admin overrides as gauges', () => {
    const store = new StatsStore()
    const runtime = new LayeredRuntime({ layers: [{ name: 's', kind: 'static', values: { a: '1', b: '2' } }, { name: 'admin', kind: 'admin' }] }, { serviceCluster: '', stats: store.runtime() })
    expect([stat(store, 'load_success'), stat(store, 'load_error'), stat(store, 'num_layers'), stat(store, 'num_keys'), stat(store, 'admin_overrides_active')]).toEqual([1, 0, 2, 2, 0])
    runtime.modify({ c: '3' })
    expect([stat(store, 'load_success'), stat(store, 'num_keys'), stat(store, 'admin_overrides_active')]).toEqual([2, 3, 1])
    runtime.modify({ c: '' })
    expect([stat(store, 'load_success'), stat(store, 'num_keys'), stat(store, 'admin_overrides_active')]).toEqual([3, 2, 0])
    expect([stat(store, 'override_dir_exists'), stat(store, 'override_dir_not_exists')]).toEqual([0, 3])
  })

  test('disk layers: a missing directory is left out, an unreadable one is a load error, two loaded ones an "override dir"', () => {
    const store = new StatsStore()
    const dirs: Record<string, Map<string, string> | 'missing' | 'error'> = { '/r/one': new Map([['k', '1']]), '/r/two': 'missing' }
    let target = 'v1'
    const disk = (name: string) => ({ name, kind: 'disk' as const, symlinkRoot: '/r', subdirectory: name, appendServiceCluster: false })
    const runtime = new LayeredRuntime(
      { layers: [disk('one'), disk('two')] },
      {
        serviceCluster: '',
        stats: store.runtime(),
        symlinkTarget: () => target,
        readDiskLayer: (path) => {
          const dir = dirs[path]
          if (dir === 'error') throw new Error('EACCES')
          return dir === 'missing' ? undefined : dir
        },
      },
    )
    expect([stat(store, 'num_layers'), stat(store, 'load_success'), stat(store, 'override_dir_not_exists')]).toEqual([1, 1, 1])
    dirs['/r/two'] = new Map([['k', '2']])
    target = 'v2'
    expect(runtime.refreshDisk()).toBe(true)
    expect([stat(store, 'num_layers'), stat(store, 'load_success'), stat(store, 'override_dir_exists'), stat(store, 'num_keys')]).toEqual([2, 2, 1, 1])
    expect(runtime.getInteger('k', 0)).toBe(2)
    dirs['/r/two'] = 'error'
    target = 'v3'
    runtime.refreshDisk()
    expect([stat(store, 'num_layers'), stat(store, 'load_error'), stat(store, 'load_success')]).toEqual([1, 1, 2])
    expect(runtime.getInteger('k', 0)).toBe(1)
  })
})
