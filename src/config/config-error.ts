// A boot-time configuration failure that carries every problem found, each with its path.

export type ConfigIssue = { readonly path: string; readonly message: string }

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: readonly ConfigIssue[],
  ) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`
    super(`Cannot load config "${source}": ${count} found\n${issues.map((i) => `  - ${i.path}: ${i.message}`).join('\n')}`)
    this.name = 'ConfigError'
  }
}
