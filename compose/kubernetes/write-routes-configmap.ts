// Keeps the Kubernetes ConfigMap a verbatim copy of routes/*.yaml: `bun compose/kubernetes/write-routes-configmap.ts`.
// Inline because `kubectl apply -k` refuses configMapGenerator files outside compose/kubernetes/.

import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { stringify } from 'yaml'

/** The routes/ files the pods mount at /etc/edgeway. */
export const ROUTE_FILES = ['front-proxy.yaml', 'sidecar.yaml'] as const

export const CONFIGMAP_NAME = 'edgeway-routes'

export function routesConfigMap(files: Readonly<Record<string, string>>): string {
  const manifest = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: CONFIGMAP_NAME }, data: files }
  return (
    '# Generated from routes/ by compose/kubernetes/write-routes-configmap.ts: edit routes/, then rerun it.\n' +
    stringify(manifest, { blockQuote: 'literal', lineWidth: 0 })
  )
}

export function readRouteFiles(root: string): Record<string, string> {
  return Object.fromEntries(ROUTE_FILES.map((name) => [name, readFileSync(join(root, 'routes', name), 'utf8')]))
}

if (import.meta.main) {
  const root = join(import.meta.dirname, '../..')
  writeFileSync(join(import.meta.dirname, 'routes-configmap.yaml'), routesConfigMap(readRouteFiles(root)))
}
