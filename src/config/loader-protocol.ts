// What the serving process and its config loader process tell each other (JSON over stdin and
// stdout). The serving process never imports the loader's modules (YAML, zod, the schemas, the
// Envoy front end); it gets the validated model back, as --concurrency workers get the primary's.

import type { ConfigIssue } from './config-error.ts'
import type { Config } from './model.ts'

export type LoadRequest = {
  /** The main file's text, as the serving process read it (empty when only --config-yaml). */
  readonly text: string
  /** The path (or `--config-yaml`) problems are reported against; relative files resolve from its folder. */
  readonly source: string
  readonly overlay?: string
  /** Texts to use instead of the disk's (a reload a changed LDS / CDS file asked for reads the others as last accepted). */
  readonly pinned: Readonly<Record<string, string>>
}

export type LoadAnswer =
  | {
      readonly ok: true
      readonly config: Config
      readonly format: 'compact' | 'envoy'
      readonly warnings: readonly ConfigIssue[]
      readonly dynamicFiles: readonly { readonly kind: 'lds' | 'cds'; readonly path: string; readonly names: readonly string[] }[]
      /** Every file read from disk (not pinned), with its text: what a commit makes "last accepted". */
      readonly reads: readonly (readonly [path: string, text: string])[]
    }
  /** A ConfigError: every problem with its path. */
  | { readonly ok: false; readonly source: string; readonly issues: readonly ConfigIssue[] }
  /** Anything else the loader threw (a bug): its stack, for the serving process to raise. */
  | { readonly ok: false; readonly crash: string }
