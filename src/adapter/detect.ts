// Picks the runtime adapter lazily so Bun never loads Deno code and vice versa.

import type { Runtime } from '../runtime.ts'

export async function detectRuntime(): Promise<Runtime> {
  if ('Bun' in globalThis) return (await import('./bun.ts')).bunRuntime
  if ('Deno' in globalThis) return (await import('./deno.ts')).denoRuntime
  throw new Error('edgeway runs on Bun or Deno (Node.js is not supported: its fetch cannot send a Host header)')
}
