// Envoy's `layered_runtime`: the compact format has the same block (static, disk and admin
// layers), so each layer is copied once its keys are sorted; rtds_layer is not supported. A
// static key edgeway never reads is one warning, as any other field without effect.

import { DISK_LAYER, LAYERED_RUNTIME, RUNTIME_LAYER } from './fields.ts'
import { at, checkKeys, idx, isObj, list, mapping, type Obj } from './reader.ts'
import type { Tx } from './translate.ts'

/** Keys edgeway reads: the fault filter's and tracing's, and any key a fault filter names itself. */
const READ_PREFIXES = ['fault.http.', 'tracing.']

export function readRuntime(tx: Tx, value: unknown, path: string, namedKeys: ReadonlySet<string>): Obj | undefined {
  const { ctx } = tx
  const runtime = mapping(ctx, value, path)
  if (!runtime) return undefined
  checkKeys(ctx, runtime, path, LAYERED_RUNTIME)
  tx.paths.link('layered_runtime', path)
  const layers = list(ctx, runtime.layers, at(path, 'layers')).map((entry, i) => {
    const layerPath = idx(at(path, 'layers'), i)
    const layer = mapping(ctx, entry, layerPath)
    if (!layer) return {}
    checkKeys(ctx, layer, layerPath, RUNTIME_LAYER)
    const out: Obj = { ...(layer.name !== undefined && { name: layer.name }) }
    if (layer.name === undefined) ctx.error(at(layerPath, 'name'), 'is required')
    if (layer.static_layer !== undefined) {
      out.static_layer = layer.static_layer
      const staticPath = at(layerPath, 'static_layer')
      if (isObj(layer.static_layer))
        for (const key of leafKeys(layer.static_layer)) {
          if (!namedKeys.has(key) && !READ_PREFIXES.some((prefix) => key.startsWith(prefix))) ctx.warn(at(staticPath, key), 'a runtime key edgeway does not read: no effect')
        }
    }
    if (layer.admin_layer !== undefined) out.admin_layer = layer.admin_layer ?? {}
    if (layer.disk_layer !== undefined) {
      const disk = mapping(ctx, layer.disk_layer, at(layerPath, 'disk_layer'))
      if (disk) out.disk_layer = { ...checkKeys(ctx, disk, at(layerPath, 'disk_layer'), DISK_LAYER) }
    }
    return out
  })
  return { layers }
}

/** `{ a: { b: 1 } }` → `a.b`, as Envoy names static keys; a `{ numerator, denominator }` value is one key. */
function leafKeys(obj: Obj, prefix = ''): string[] {
  return Object.entries(obj).flatMap(([key, value]) => {
    const name = prefix ? `${prefix}.${key}` : key
    return isObj(value) && !('numerator' in value || 'denominator' in value) ? leafKeys(value, name) : [name]
  })
}
