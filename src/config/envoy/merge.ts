// Envoy's `--config-yaml` semantics (protobuf MergeFrom): the overlay's mappings merge into the
// file's, its lists are appended, its other values replace the file's.

import { isObj } from './reader.ts'

export function mergeOverlay(base: unknown, overlay: unknown): unknown {
  if (isObj(base) && isObj(overlay)) {
    const out: Record<string, unknown> = { ...base }
    for (const [key, value] of Object.entries(overlay)) out[key] = key in base ? mergeOverlay(base[key], value) : value
    return out
  }
  if (Array.isArray(base) && Array.isArray(overlay)) return [...base, ...overlay]
  return overlay === undefined || overlay === null ? base : overlay
}
