// Envoy's layered runtime: named layers (static, disk, admin) whose keys override the layers
// before them. The request path asks it for integers and percentages with its own default; a
// key no layer sets leaves the default in force. One per process; a disk layer is re-read when
// its symlink_root is swapped to a new target (Envoy's trigger), polled here because file watches
// differ between runtimes.

import type { FractionalPercent } from '../config/model-fault.ts'
import type { RuntimeConfig, RuntimeLayerConfig, RuntimeValue } from '../config/model-runtime.ts'
import { diskLayerPath, readDiskLayer, symlinkTarget } from './disk-layer.ts'
import { percentHits } from './fractional-percent.ts'
import type { RuntimeStats } from '../stats/stats-store.ts'

export type RuntimeLayer = { readonly name: string; readonly values: ReadonlyMap<string, RuntimeValue> }

export type LayeredRuntimeDeps = {
  /** Envoy's --service-cluster, for disk layers with append_service_cluster. */
  readonly serviceCluster: string
  /** undefined: the directory does not exist; throws when it cannot be read. */
  readonly readDiskLayer?: (path: string) => Map<string, string> | undefined
  readonly symlinkTarget?: (symlinkRoot: string) => string | undefined
  /** Envoy's `runtime.*`, updated at every load (start, /runtime_modify, a disk layer re-read). */
  readonly stats?: RuntimeStats | undefined
}

/** `state`: a disk layer whose directory is missing or unreadable is left out, as Envoy's snapshot does. */
type Layer = { readonly config: RuntimeLayerConfig; values: Map<string, RuntimeValue>; target?: string | undefined; state: 'loaded' | 'missing' | 'error' }

export class LayeredRuntime {
  readonly #layers: Layer[]
  readonly #deps: Required<Omit<LayeredRuntimeDeps, 'stats'>> & Pick<LayeredRuntimeDeps, 'stats'>
  /** Every key's final value: rebuilt when a layer changes, so a lookup is one Map get. */
  #merged = new Map<string, RuntimeValue>()
  #timer: ReturnType<typeof setInterval> | undefined

  constructor(config: RuntimeConfig, deps: LayeredRuntimeDeps) {
    this.#deps = { readDiskLayer, symlinkTarget, ...deps }
    this.#layers = config.layers.map((layer) => ({ config: layer, values: new Map(), state: 'loaded' as const }))
    for (const layer of this.#layers) {
      if (layer.config.kind === 'static') layer.values = new Map(Object.entries(layer.config.values))
      else if (layer.config.kind === 'disk') this.#readDisk(layer)
    }
    this.#merge()
  }

  /** The raw value of the top-most layer that sets `key`. */
  get(key: string): RuntimeValue | undefined {
    return this.#merged.get(key)
  }

  /** Envoy's getInteger: the value when it is a whole non-negative number, else `fallback`. */
  getInteger(key: string, fallback: number): number {
    const value = this.#merged.get(key)
    return typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : fallback
  }

  /**
   * Envoy's featureEnabled: a FractionalPercent value, or a whole number read as a percentage
   * (above 100 = always), else `fallback`; then one random draw decides.
   */
  featureEnabled(key: string, fallback: FractionalPercent, random: () => number): boolean {
    return percentHits(this.percentage(key, fallback), random)
  }

  percentage(key: string, fallback: FractionalPercent): FractionalPercent {
    const value = this.#merged.get(key)
    if (value === undefined) return fallback
    if (typeof value !== 'string') return value
    if (!/^\d+$/.test(value)) return fallback
    return { numerator: Math.min(Number(value), 101), denominator: 100 }
  }

  layers(): readonly RuntimeLayer[] {
    return this.#layers.map((layer) => ({ name: layer.config.name, values: layer.values }))
  }

  hasAdminLayer(): boolean {
    return this.#layers.some((layer) => layer.config.kind === 'admin')
  }

  /** The admin layer's values (what a restarted worker must be told). */
  adminValues(): Record<string, string> {
    const admin = this.#layers.find((layer) => layer.config.kind === 'admin')
    return Object.fromEntries([...(admin?.values ?? [])].map(([key, value]) => [key, String(value)]))
  }

  /** POST /runtime_modify: sets keys in the admin layer, an empty value removes one. */
  modify(values: Readonly<Record<string, string>>): { ok: true } | { ok: false; problem: string } {
    const admin = this.#layers.find((layer) => layer.config.kind === 'admin')
    if (!admin) return { ok: false, problem: 'No admin layer specified' }
    for (const [key, value] of Object.entries(values)) {
      if (value === '') admin.values.delete(key)
      else admin.values.set(key, value)
    }
    this.#merge()
    return { ok: true }
  }

  /** Re-reads every disk layer whose symlink_root points somewhere new; true when one did. */
  refreshDisk(): boolean {
    let changed = false
    for (const layer of this.#layers) {
      if (layer.config.kind !== 'disk') continue
      if (this.#deps.symlinkTarget(layer.config.symlinkRoot) === layer.target) continue
      this.#readDisk(layer)
      changed = true
    }
    if (changed) this.#merge()
    return changed
  }

  /** Polls the disk layers' symlinks; nothing to do without disk layers. */
  start(everyMs = 1000): void {
    if (this.#timer || !this.#layers.some((layer) => layer.config.kind === 'disk')) return
    this.#timer = setInterval(() => this.refreshDisk(), everyMs)
    ;(this.#timer as { unref?: () => void }).unref?.()
  }

  stop(): void {
    clearInterval(this.#timer)
    this.#timer = undefined
  }

  #readDisk(layer: Layer): void {
    const config = layer.config as Extract<RuntimeLayerConfig, { kind: 'disk' }>
    layer.target = this.#deps.symlinkTarget(config.symlinkRoot)
    try {
      const values = this.#deps.readDiskLayer(diskLayerPath(config, this.#deps.serviceCluster))
      layer.values = values ?? new Map()
      layer.state = values ? 'loaded' : 'missing'
    } catch {
      layer.values = new Map()
      layer.state = 'error'
    }
  }

  /** A new snapshot, and Envoy's runtime stats for it (LoaderImpl::createNewSnapshot). */
  #merge(): void {
    const merged = new Map<string, RuntimeValue>()
    for (const layer of this.#layers) for (const [key, value] of layer.values) merged.set(key, value)
    this.#merged = merged
    const stats = this.#deps.stats
    if (!stats) return
    const loaded = this.#layers.filter((layer) => layer.state === 'loaded')
    stats.num_layers.set(loaded.length)
    stats.num_keys.set(merged.size)
    if (this.#layers.some((layer) => layer.state === 'error')) stats.load_error.inc()
    else stats.load_success.inc()
    // Envoy's name from its single-disk-layer days: "an override directory" = a second disk layer loaded.
    if (loaded.filter((layer) => layer.config.kind === 'disk').length > 1) stats.override_dir_exists.inc()
    else stats.override_dir_not_exists.inc()
    const admin = this.#layers.find((layer) => layer.config.kind === 'admin')
    stats.admin_overrides_active.set(admin && admin.values.size > 0 ? 1 : 0)
  }
}

/** The runtime of a config without layered_runtime: every key at its default. */
export const EMPTY_RUNTIME = (): LayeredRuntime => new LayeredRuntime({ layers: [] }, { serviceCluster: '' })
