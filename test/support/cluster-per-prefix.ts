// A config with one listener, `ingress`, that sends `/<name>/…` to the cluster `<name>`, for tests
// that compare several clusters (each a transport or TLS variant) through one edgeway process.

/** `clusters`: [name, the rest of its `load_assignment: { …` line and any further cluster lines]. */
export function clusterPerPrefixYaml(clusters: readonly (readonly [string, string])[]): string {
  return `
admin: { address: 127.0.0.1, port: 0 }
listeners:
  - name: ingress
    address: 127.0.0.1
    port: 0
    virtual_hosts:
      - name: all
        domains: ["*"]
        routes:
${clusters.map(([name]) => `          - { match: { prefix: /${name}/ }, route: { cluster: ${name} } }`).join('\n')}
clusters:
${clusters.map(([name, rest]) => `  - name: ${name}\n    load_assignment: { ${rest}`).join('\n')}
`
}
