// Leveled logging by component, as Envoy's `-l` and admin `/logging` work: every component has a
// level, `--log-level` sets them all, `/logging?router=debug` one. Each component exposes plain
// boolean flags (`debugOn`), so the request path pays one field read when debug is off.

import process from 'node:process'

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warning', 'error', 'critical', 'off'] as const
export type LogLevel = (typeof LOG_LEVELS)[number]

/** Envoy's names where edgeway has the same concern. */
export const LOG_COMPONENTS = ['admin', 'config', 'connection', 'dns', 'health_checker', 'main', 'router', 'tracing', 'upstream'] as const
export type LogComponent = (typeof LOG_COMPONENTS)[number]

/** `warn` is Envoy's accepted spelling of `warning`. */
export function parseLogLevel(text: string): LogLevel | undefined {
  const level = text === 'warn' ? 'warning' : text
  return (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : undefined
}

export class ComponentLogger {
  level: LogLevel = 'info'
  traceOn = false
  debugOn = false
  infoOn = true

  constructor(
    readonly name: LogComponent,
    private readonly write: (line: string) => void,
  ) {}

  setLevel(level: LogLevel): void {
    this.level = level
    const at = LOG_LEVELS.indexOf(level)
    this.traceOn = at <= 0
    this.debugOn = at <= 1
    this.infoOn = at <= 2
  }

  trace(message: string): void {
    if (this.traceOn) this.#emit('trace', message)
  }
  debug(message: string): void {
    if (this.debugOn) this.#emit('debug', message)
  }
  info(message: string): void {
    if (this.infoOn) this.#emit('info', message)
  }
  warning(message: string): void {
    if (LOG_LEVELS.indexOf(this.level) <= 3) this.#emit('warning', message)
  }
  error(message: string): void {
    if (LOG_LEVELS.indexOf(this.level) <= 4) this.#emit('error', message)
  }

  #emit(level: LogLevel, message: string): void {
    // Envoy's default format: [time][pid][level][component] message
    this.write(`[${new Date().toISOString()}][${process.pid}][${level}][${this.name}] ${message}\n`)
  }
}

export class Logger {
  readonly #components = new Map<LogComponent, ComponentLogger>()

  constructor(write: (line: string) => void, level: LogLevel = 'info') {
    for (const name of LOG_COMPONENTS) {
      const component = new ComponentLogger(name, write)
      component.setLevel(level)
      this.#components.set(name, component)
    }
  }

  component(name: LogComponent): ComponentLogger {
    return this.#components.get(name)!
  }

  /** Every component's level, in name order (what GET /logging lists). */
  levels(): { name: LogComponent; level: LogLevel }[] {
    return [...this.#components.values()].map(({ name, level }) => ({ name, level }))
  }

  setAll(level: LogLevel): void {
    for (const component of this.#components.values()) component.setLevel(level)
  }

  /** Applies `/logging?level=X` or `?router=X&upstream=Y`; returns the problems, none when applied. */
  apply(query: Record<string, string>): string[] {
    const problems: string[] = []
    const changes: [ComponentLogger | 'all', LogLevel][] = []
    for (const [key, value] of Object.entries(query)) {
      const level = parseLogLevel(value)
      if (!level) problems.push(`unknown level "${value}" for ${key} (one of ${LOG_LEVELS.join(', ')})`)
      else if (key === 'level') changes.push(['all', level])
      else if (this.#components.has(key as LogComponent)) changes.push([this.component(key as LogComponent), level])
      else problems.push(`unknown logger "${key}" (one of ${LOG_COMPONENTS.join(', ')})`)
    }
    if (problems.length === 0) for (const [target, level] of changes) target === 'all' ? this.setAll(level) : target.setLevel(level)
    return problems
  }
}
