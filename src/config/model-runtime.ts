// The model of Envoy's layered_runtime (part of model.ts, kept apart to keep that file readable).

import type { FractionalPercent } from './model-fault.ts'

export type RuntimeConfig = { readonly layers: readonly RuntimeLayerConfig[] }

/** A static layer's values are strings (as Envoy's /runtime shows them) or a FractionalPercent. */
export type RuntimeValue = string | FractionalPercent

export type RuntimeLayerConfig =
  | { readonly name: string; readonly kind: 'static'; readonly values: Readonly<Record<string, RuntimeValue>> }
  /** Files under `symlinkRoot/subdirectory[/service cluster]`, re-read when symlinkRoot is swapped to a new target. */
  | { readonly name: string; readonly kind: 'disk'; readonly symlinkRoot: string; readonly subdirectory: string; readonly appendServiceCluster: boolean }
  /** What POST /runtime_modify sets. */
  | { readonly name: string; readonly kind: 'admin' }
