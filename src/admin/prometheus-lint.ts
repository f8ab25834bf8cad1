// Checks a Prometheus text exposition (format 0.0.4) and lists every problem. No parser is
// installed, and a scrape that fails in production is silent, so the tests run this on our output.

const METRIC = '[a-zA-Z_:][a-zA-Z0-9_:]*'
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*'
const LABEL_VALUE = '(?:[^"\\\\\\n]|\\\\[\\\\"n])*'
const VALUE = '(?:[+-]?(?:\\d+\\.?\\d*|\\.\\d+)(?:[eE][+-]?\\d+)?|NaN|[+-]Inf)'
const SAMPLE = new RegExp(`^(${METRIC})(?:\\{((?:${LABEL}="${LABEL_VALUE}")(?:,${LABEL}="${LABEL_VALUE}")*,?)?\\})? (${VALUE})(?: -?\\d+)?$`)
const TYPE = new RegExp(`^# TYPE (${METRIC}) (counter|gauge|histogram|summary|untyped)$`)
const HELP = new RegExp(`^# HELP (${METRIC})(?: .*)?$`)
const PAIR = new RegExp(`(${LABEL})="(${LABEL_VALUE})"`, 'g')

export function lintExposition(body: string): string[] {
  const problems: string[] = []
  if (body !== '' && !body.endsWith('\n')) problems.push('exposition must end with a newline')
  const typed = new Map<string, string>()
  const finished = new Set<string>()
  const series = new Set<string>()
  let current: string | undefined
  const lines = body.split('\n')
  if (lines.at(-1) === '') lines.pop()
  lines.forEach((line, index) => {
    const at = `line ${index + 1}: `
    if (line.startsWith('#')) {
      const type = TYPE.exec(line)
      if (type?.[1]) {
        if (typed.has(type[1])) problems.push(`${at}second TYPE line for ${type[1]}`)
        if (finished.has(type[1]) || current === type[1]) problems.push(`${at}TYPE for ${type[1]} after its samples`)
        typed.set(type[1], type[2]!)
      } else if (line.startsWith('# TYPE') || (line.startsWith('# HELP') && !HELP.test(line))) {
        problems.push(`${at}malformed ${line.slice(2, 6)} line: ${line}`)
      }
      return
    }
    const sample = SAMPLE.exec(line)
    if (!sample?.[1]) {
      problems.push(`${at}not a valid sample: ${JSON.stringify(line)}`)
      return
    }
    // A histogram's `_bucket`, `_sum` and `_count` samples belong to the family its TYPE line names.
    const suffix = /_(bucket|sum|count)$/.exec(sample[1])
    const base = suffix ? sample[1].slice(0, -suffix[0].length) : undefined
    const name = base !== undefined && typed.get(base) === 'histogram' ? base : sample[1]
    if (!typed.has(name)) problems.push(`${at}sample of ${name} before any TYPE line for it`)
    if (name !== current) {
      // A family's samples must be contiguous: coming back to one is a second family of that name.
      if (current !== undefined) finished.add(current)
      if (finished.has(name)) problems.push(`${at}samples of ${name} are not grouped together`)
      current = name
    }
    const labels = [...(sample[2] ?? '').matchAll(PAIR)].map((pair) => [pair[1] ?? '', pair[2] ?? ''] as const)
    const labelNames = labels.map(([label]) => label)
    if (new Set(labelNames).size !== labelNames.length) problems.push(`${at}repeated label name`)
    if (labelNames.some((label) => label.startsWith('__'))) problems.push(`${at}label names starting with __ are reserved`)
    if (name !== sample[1] && suffix?.[1] === 'bucket' && !labelNames.includes('le')) problems.push(`${at}histogram bucket without an le label`)
    const key = `${sample[1]}{${labels.map(([label, value]) => `${label}=${value}`).sort().join(',')}}`
    if (series.has(key)) problems.push(`${at}duplicate series ${key}`)
    series.add(key)
  })
  return problems
}
