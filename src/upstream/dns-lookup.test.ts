import { describe, expect, test } from 'bun:test'
import { lookup, type Query, type RecordType } from './dns-lookup.ts'
import { parseHosts } from './hosts-file.ts'

/** Answers from a table keyed `name/type`; names in `failing` reject like a timeout. */
function fakeQuery(table: Record<string, string[]>, failing: string[] = []) {
  const asked: string[] = []
  const query: Query = async (name: string, type: RecordType) => {
    asked.push(`${name}/${type}`)
    if (failing.includes(`${name}/${type}`)) throw Object.assign(new Error(`query ${type} ETIMEOUT ${name}`), { code: 'ETIMEOUT' })
    return table[`${name}/${type}`] ?? []
  }
  return { query, asked }
}

const candidates = ['service1.ns.svc.cluster.local', 'service1']

describe('lookup', () => {
  test('the first candidate with addresses wins; later ones are not asked', async () => {
    const { query, asked } = fakeQuery({ 'service1.ns.svc.cluster.local/A': ['10.0.0.1', '10.0.0.2'], 'service1/A': ['9.9.9.9'] })
    expect(await lookup('service1', { family: 'V4_ONLY', candidates, query })).toEqual(['10.0.0.1', '10.0.0.2'])
    expect(asked).toEqual(['service1.ns.svc.cluster.local/A'])
  })
  test('NXDOMAIN on every candidate is [] (scaled to zero); a timeout on one with none found rejects (keep endpoints)', async () => {
    expect(await lookup('service1', { family: 'V4_ONLY', candidates, query: fakeQuery({}).query })).toEqual([])
    await expect(lookup('service1', { family: 'V4_ONLY', candidates, query: fakeQuery({}, ['service1/A']).query })).rejects.toThrow('ETIMEOUT')
  })
  test('a timeout on an early candidate does not hide a later answer', async () => {
    const { query } = fakeQuery({ 'service1/A': ['10.0.0.9'] }, ['service1.ns.svc.cluster.local/A'])
    expect(await lookup('service1', { family: 'V4_ONLY', candidates, query })).toEqual(['10.0.0.9'])
  })
  test('families: V6_ONLY asks AAAA, AUTO prefers AAAA then A, V4_PREFERRED the reverse, ALL both', async () => {
    const table = { 'svc/A': ['10.0.0.1'], 'svc/AAAA': ['fd00::1'], 'v4only/A': ['10.0.0.2'], 'v6only/AAAA': ['fd00::2'] }
    const run = (name: string, family: Parameters<typeof lookup>[1]['family']) => lookup(name, { family, candidates: [name], query: fakeQuery(table).query })
    expect(await run('svc', 'V4_ONLY')).toEqual(['10.0.0.1'])
    expect(await run('svc', 'V6_ONLY')).toEqual(['fd00::1'])
    expect(await run('v4only', 'V6_ONLY')).toEqual([])
    expect(await run('svc', 'AUTO')).toEqual(['fd00::1'])
    expect(await run('v4only', 'AUTO')).toEqual(['10.0.0.2'])
    expect(await run('svc', 'V4_PREFERRED')).toEqual(['10.0.0.1'])
    expect(await run('v6only', 'V4_PREFERRED')).toEqual(['fd00::2'])
    expect(await run('svc', 'ALL')).toEqual(['10.0.0.1', 'fd00::1'])
  })
  test('the hosts file answers first, for the name as written, in the asked family; else DNS', async () => {
    const hosts = parseHosts('10.1.1.1 db\nfd00::9 db\n10.1.1.2 other\n')
    const { query, asked } = fakeQuery({ 'other/AAAA': ['fd00::3'] })
    expect(await lookup('DB', { family: 'V4_ONLY', candidates: ['db'], hosts, query })).toEqual(['10.1.1.1'])
    expect(await lookup('db', { family: 'AUTO', candidates: ['db'], hosts, query })).toEqual(['fd00::9'])
    expect(asked).toEqual([])
    expect(await lookup('other', { family: 'V6_ONLY', candidates: ['other'], hosts, query })).toEqual(['fd00::3'])
  })
  test('IP literals and localhost need no query', async () => {
    const { query, asked } = fakeQuery({})
    expect(await lookup('10.0.0.7', { family: 'V6_ONLY', candidates: ['10.0.0.7'], query })).toEqual(['10.0.0.7'])
    expect(await lookup('LOCALHOST', { family: 'V4_ONLY', candidates: [], query })).toEqual(['127.0.0.1'])
    expect(await lookup('localhost', { family: 'V6_ONLY', candidates: [], query })).toEqual(['::1'])
    expect(asked).toEqual([])
  })
})
