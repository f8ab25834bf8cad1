// Envoy's `layered_runtime`: static layers are flattened to `a.b.c: value` keys. edgeway reads
// none of Envoy's runtime keys yet, so each key set here is one warning naming it.

import { RUNTIME_LAYER } from './fields.ts'
import { at, checkKeys, idx, isObj, list, mapping, type Obj } from './reader.ts'
import type { Tx } from './translate.ts'

export function readRuntime(tx: Tx, value: unknown, path: string): void {
  const { ctx } = tx
  const runtime = mapping(ctx, value, path)
  if (!runtime) return
  for (const key of Object.keys(runtime)) if (key !== 'layers') ctx.error(at(path, key), 'unknown field of LayeredRuntime (typo?)')
  list(ctx, runtime.layers, at(path, 'layers')).forEach((entry, i) => {
    const layerPath = idx(at(path, 'layers'), i)
    const layer = mapping(ctx, entry, layerPath)
    if (!layer) return
    checkKeys(ctx, layer, layerPath, RUNTIME_LAYER)
    if (layer.static_layer === undefined) return
    const staticPath = at(layerPath, 'static_layer')
    const values = mapping(ctx, layer.static_layer, staticPath)
    if (!values) return
    for (const [key] of flatten(values)) ctx.warn(at(staticPath, key), 'a runtime key edgeway does not read: no effect')
  })
}

/** `{ a: { b: 1 } }` → `[['a.b', 1]]`, as Envoy reads a static layer. */
export function flatten(obj: Obj, prefix = ''): [string, unknown][] {
  const out: [string, unknown][] = []
  for (const [key, value] of Object.entries(obj)) {
    const name = prefix ? `${prefix}.${key}` : key
    if (isObj(value)) out.push(...flatten(value, name))
    else out.push([name, value])
  }
  return out
}
