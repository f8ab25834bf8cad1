// Config reloads, whatever asks for one (SIGHUP, POST /reload, the file watch): read the file,
// validate it whole, and either hand the new config to `apply` (a new generation) or keep the
// running one and report every problem. One reload at a time; format-independent: `parse` is
// whichever front end read the file at startup.

import type { Config } from '../config/model.ts'
import type { ReloadStats, XdsStats } from '../stats/stats-store.ts'
import type { ReloadOutcome } from './drain-endpoints.ts'

export type ReloaderDeps = {
  readonly path: string
  readonly readTextFile: (path: string) => Promise<string>
  /** Throws ConfigError (every problem with its path) for an invalid file. `trigger`: the dynamic file whose change asked. */
  readonly parse: (text: string, trigger?: string) => Config | Promise<Config>
  readonly apply: (config: Config) => Promise<number>
  readonly stats: ReloadStats
  readonly log: (line: string) => void
}

export function createReloader(deps: ReloaderDeps): (trigger?: string) => Promise<ReloadOutcome> {
  let queue: Promise<unknown> = Promise.resolve()
  const once = async (trigger: string | undefined): Promise<ReloadOutcome> => {
    deps.stats.update_attempt.inc()
    let config: Config
    try {
      config = await deps.parse(await deps.readTextFile(deps.path), trigger)
    } catch (error) {
      return reject(error)
    }
    try {
      const version = await deps.apply(config)
      deps.stats.update_success.inc()
      deps.log(`edgeway: config reloaded from ${deps.path}: version ${version}`)
      return { ok: true, version }
    } catch (error) {
      // A listener that cannot bind (its new port is taken): the rest of the running config stays.
      return reject(error)
    }
  }
  const reject = (error: unknown): ReloadOutcome => {
    deps.stats.update_rejected.inc()
    const problems = error instanceof Error ? error.message : String(error)
    deps.log(`edgeway: config reload rejected, the running config stays: ${problems.replace(/\n/g, '; ')}`)
    return { ok: false, problems }
  }
  return (trigger) => {
    const run = () => once(trigger)
    const next = queue.then(run, run)
    queue = next
    return next
  }
}

/**
 * Polls the file (size and mtime, then content) and reloads when it changed: editors that save by
 * rename and filesystems without inotify (bind mounts, ConfigMaps) are covered alike.
 */
export function watchConfigFile(
  path: string,
  reload: () => Promise<unknown>,
  deps: { stat: (path: string) => Promise<{ size: number; mtimeMs: number }>; readTextFile: (path: string) => Promise<string> },
  everyMs = 500,
  /** The text the running config was read from: a change before the first look still counts. */
  baseline?: string,
): () => void {
  let last: string | undefined
  let text: string | undefined = baseline
  let busy = false
  const tick = async () => {
    if (busy) return
    busy = true
    try {
      const info = await deps.stat(path)
      const key = `${info.size}:${info.mtimeMs}`
      if (key !== last) {
        const current = await deps.readTextFile(path)
        const changed = (last !== undefined || baseline !== undefined) && current !== text
        last = key
        text = current
        if (changed) await reload()
      }
    } catch {
      // a file being replaced is briefly missing: try again at the next tick
    } finally {
      busy = false
    }
  }
  void tick()
  const timer = setInterval(() => void tick(), everyMs)
  ;(timer as { unref?: () => void }).unref?.()
  return () => clearInterval(timer)
}

/**
 * Envoy's file-based LDS / CDS: a change to either file (a replacing move, as the sandbox does,
 * or an edit) reloads the whole config through the same reloader, counted under Envoy's names.
 */
export function watchDynamicFiles(
  files: readonly { readonly kind: 'lds' | 'cds'; readonly path: string }[],
  reload: (trigger: string) => Promise<ReloadOutcome>,
  stats: (kind: 'lds' | 'cds') => XdsStats,
  deps: Parameters<typeof watchConfigFile>[2] & { readonly baseline?: (path: string) => string | undefined },
  everyMs?: number,
): () => void {
  const stops = files.map((file) => {
    // Created now, so /stats shows them at 0 before the first change (as Envoy does).
    const counters = stats(file.kind)
    return watchConfigFile(
      file.path,
      async () => {
        counters.update_attempt.inc()
        const outcome = await reload(file.path)
        counters[outcome.ok ? 'update_success' : 'update_rejected'].inc()
      },
      deps,
      everyMs,
      deps.baseline?.(file.path),
    )
  })
  return () => stops.forEach((stop) => stop())
}
