import { describe, expect, test } from 'bun:test'
import { Logger, parseLogLevel } from './logger.ts'

describe('Logger', () => {
  test('a level lets through itself and what is more severe, in Envoy\'s line format', () => {
    const lines: string[] = []
    const logger = new Logger((line) => lines.push(line), 'info')
    const router = logger.component('router')
    router.debug('hidden')
    router.info('shown')
    router.error('also shown')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^\[\d{4}-\d\d-\d\dT[\d:.]+Z\]\[\d+\]\[info\]\[router\] shown\n$/)
    expect(router.debugOn).toBe(false)
    logger.setAll('debug')
    expect(router.debugOn).toBe(true)
    router.debug('now shown')
    expect(lines.at(-1)).toContain('[debug][router] now shown')
  })

  test('apply: ?level sets all, ?router=trace one; a bad name or level changes nothing and says why', () => {
    const logger = new Logger(() => {})
    expect(logger.apply({ router: 'trace' })).toEqual([])
    expect(logger.component('router').traceOn).toBe(true)
    expect(logger.component('upstream').level).toBe('info')
    expect(logger.apply({ level: 'warn' })).toEqual([])
    expect(logger.levels().every((l) => l.level === 'warning')).toBe(true)
    const problems = logger.apply({ level: 'debug', nosuch: 'info', router: 'loud' })
    expect(problems).toHaveLength(2)
    expect(problems.join('\n')).toContain('unknown logger "nosuch"')
    expect(problems.join('\n')).toContain('unknown level "loud"')
    expect(logger.levels().every((l) => l.level === 'warning')).toBe(true)
  })

  test('off silences everything; warn is warning', () => {
    expect(parseLogLevel('warn')).toBe('warning')
    expect(parseLogLevel('loud')).toBeUndefined()
    const lines: string[] = []
    const logger = new Logger((line) => lines.push(line), 'off')
    logger.component('main').error('x')
    expect(lines).toEqual([])
  })
})
