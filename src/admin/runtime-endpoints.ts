// Envoy's /runtime (every key: its value in each layer and the final one, as JSON) and
// /runtime_modify (sets keys in the admin layer; an empty value removes one). A primary passes
// each change on to its workers through `afterModify`.

import type { FractionalPercent } from '../config/model-fault.ts'
import type { RuntimeValue } from '../config/model-runtime.ts'
import type { LayeredRuntime } from '../layered-runtime/layered-runtime.ts'
import type { AdminContext, AdminEndpoint } from './admin-router.ts'

export type RuntimeEndpointsDeps = {
  readonly runtime: Pick<LayeredRuntime, 'layers' | 'get' | 'modify'>
  /** A primary: the same change on every worker. */
  readonly afterModify?: (values: Record<string, string>) => Promise<unknown>
}

const USAGE = 'usage: /runtime_modify?key1=value1&key2=value2&keyN=valueN\n       or send the parameters as form values\nuse an empty value to remove a previously added override\n'

export function runtimeEndpoints(deps: RuntimeEndpointsDeps): AdminEndpoint[] {
  return [
    { path: '/runtime', method: 'GET', help: 'print runtime values', handle: () => json(runtimeJson(deps.runtime)) },
    { path: '/runtime_modify', method: 'POST', help: 'modify runtime values: ?key=value (an empty value removes the override)', handle: (c) => modify(c, deps) },
  ]
}

/** Envoy's shape: `layers` by name, and per key its `layer_values` (one per layer, "" where unset) and `final_value`. */
export function runtimeJson(runtime: Pick<LayeredRuntime, 'layers' | 'get'>) {
  const layers = runtime.layers()
  const keys = [...new Set(layers.flatMap((layer) => [...layer.values.keys()]))].sort()
  const entries: Record<string, { layer_values: string[]; final_value: string }> = {}
  for (const key of keys) {
    entries[key] = { layer_values: layers.map((layer) => show(layer.values.get(key))), final_value: show(runtime.get(key)) }
  }
  return { layers: layers.map((layer) => layer.name), entries }
}

async function modify(c: AdminContext, deps: RuntimeEndpointsDeps): Promise<Response> {
  const values: Record<string, string> = { ...c.req.query() }
  // Envoy also takes the pairs as form values in the body.
  if ((c.req.header('content-type') ?? '').includes('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(await c.req.text())) values[key] = value
  }
  if (Object.keys(values).length === 0) return text(USAGE, 400)
  const result = deps.runtime.modify(values)
  if (!result.ok) return text(`${result.problem}\n`, 503)
  await deps.afterModify?.(values)
  return text('OK\n')
}

const DENOMINATOR_NAMES: Record<FractionalPercent['denominator'], string> = { 100: 'HUNDRED', 10_000: 'TEN_THOUSAND', 1_000_000: 'MILLION' }

function show(value: RuntimeValue | undefined): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  return JSON.stringify({ numerator: value.numerator, denominator: DENOMINATOR_NAMES[value.denominator] })
}

function text(body: string, status = 200): Response {
  return new Response(body, { status, headers: { 'content-type': 'text/plain; charset=UTF-8' } })
}

function json(value: unknown): Response {
  return new Response(`${JSON.stringify(value, null, 2)}\n`, { headers: { 'content-type': 'application/json' } })
}
