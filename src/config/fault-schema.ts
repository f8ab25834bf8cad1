// The compact format's `fault:` block (a listener's fault filter, or a route's override) and
// `layered_runtime:`, both in the shape of Envoy's own messages (HTTPFault, LayeredRuntime) so a
// block moves between the two formats unchanged.

import { z } from 'zod'
import { duration, int, name, show } from './schema-primitives.ts'

const UINT32_MAX = 4_294_967_295

/** Envoy's FractionalPercent; a numerator above the denominator means always. */
export const fractionalPercent = z.strictObject({
  numerator: int(0, UINT32_MAX, 'numerator').default(0),
  denominator: z.enum(['HUNDRED', 'TEN_THOUSAND', 'MILLION'], { error: (issue) => `expected one of HUNDRED | TEN_THOUSAND | MILLION, got ${show(issue.input)}` }).default('HUNDRED'),
})

const runtimeKey = z.string().min(1, 'must not be empty')

const abort = z
  .strictObject({
    http_status: int(200, 599, 'HTTP status').optional(),
    header_abort: z.strictObject({}).optional(),
    percentage: fractionalPercent.optional(),
  })
  .refine((a) => (a.http_status === undefined) !== (a.header_abort === undefined), {
    error: 'needs exactly one of http_status, header_abort (grpc_status is not supported by edgeway)',
  })

const delay = z
  .strictObject({
    fixed_delay: duration.optional(),
    header_delay: z.strictObject({}).optional(),
    percentage: fractionalPercent.optional(),
  })
  .refine((d) => (d.fixed_delay === undefined) !== (d.header_delay === undefined), { error: 'needs exactly one of fixed_delay, header_delay' })

/** `headerMatcher` is the route match's, passed in so both read headers the same way. */
export const faultBlock = <H extends z.ZodType>(headerMatcher: H) =>
  z.strictObject({
    abort: abort.optional(),
    delay: delay.optional(),
    upstream_cluster: name.optional(),
    headers: z.array(headerMatcher).default([]),
    max_active_faults: int(0, UINT32_MAX).optional(),
    abort_percent_runtime: runtimeKey.optional(),
    abort_http_status_runtime: runtimeKey.optional(),
    delay_percent_runtime: runtimeKey.optional(),
    delay_duration_runtime: runtimeKey.optional(),
    max_active_faults_runtime: runtimeKey.optional(),
    disable_downstream_cluster_stats: z.boolean().default(false),
  })

/** A static layer leaf: a scalar, or a FractionalPercent mapping; anything else is named with its key. */
const staticLayer = z.record(z.string(), z.unknown()).superRefine((values, ctx) => {
  const walk = (obj: Record<string, unknown>, path: string[]) => {
    for (const [key, value] of Object.entries(obj)) {
      const at = [...path, key]
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') continue
      if (isPlainObject(value) && ('numerator' in value || 'denominator' in value)) {
        const parsed = fractionalPercent.safeParse(value)
        if (!parsed.success) ctx.addIssue({ code: 'custom', path: at, message: `a FractionalPercent: ${parsed.error.issues[0]!.message}` })
      } else if (isPlainObject(value)) walk(value, at)
      else ctx.addIssue({ code: 'custom', path: at, message: `expected a string, number, boolean or { numerator, denominator }, got ${show(value)}` })
    }
  }
  walk(values, [])
})

const runtimeLayer = z
  .strictObject({
    name,
    static_layer: staticLayer.optional(),
    disk_layer: z
      .strictObject({ symlink_root: z.string().min(1, 'must not be empty'), subdirectory: z.string().default(''), append_service_cluster: z.boolean().default(false) })
      .optional(),
    admin_layer: z.strictObject({}).optional(),
  })
  .refine((l) => [l.static_layer, l.disk_layer, l.admin_layer].filter((x) => x !== undefined).length === 1, {
    error: 'needs exactly one of static_layer, disk_layer, admin_layer',
  })

export const layeredRuntime = z.strictObject({ layers: z.array(runtimeLayer).default([]) })

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
