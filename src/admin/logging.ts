// /logging as Envoy's admin has it: GET lists every logger's level; POST `?level=debug` sets all of
// them, `?router=debug&upstream=trace` some. The text answer is the listing after the change.

import type { LogComponent, LogLevel } from '../log/logger.ts'

export type LoggingControl = {
  levels(): readonly { readonly name: LogComponent; readonly level: LogLevel }[]
  /** Problems with the query (nothing changed then), or none once applied (a primary: on every worker too). */
  apply(query: Record<string, string>): string[] | Promise<string[]>
}

export function renderLoggers(control: LoggingControl): string {
  return `active loggers:\n${control.levels().map(({ name, level }) => `  ${name}: ${level}\n`).join('')}`
}
