// OpenTelemetry's ExportResultCode values, defined here so the serving process does not load
// @opentelemetry/core for two numbers (~5 MiB RSS on Bun, bench/README.md "Memory"). The type is
// core's own, so SDK exporters (InMemorySpanExporter in the tests) and this project's agree.

import type { ExportResult, ExportResultCode } from '@opentelemetry/core'

export const EXPORT_SUCCESS = 0 as ExportResultCode.SUCCESS
export const EXPORT_FAILED = 1 as ExportResultCode.FAILED
export type { ExportResult }
