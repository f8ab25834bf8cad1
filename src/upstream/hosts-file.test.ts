import { expect, test } from 'bun:test'
import { parseHosts } from './hosts-file.ts'

test('names and aliases map to their addresses by family; comments and junk ignored', () => {
  const hosts = parseHosts('127.0.0.1 localhost\n::1 localhost ip6-localhost\n10.0.0.5  db DB.internal. # primary\n10.0.0.6 db\nnot-an-ip foo\n\n# 10.9.9.9 commented\n')
  expect(hosts.get('localhost')).toEqual({ v4: ['127.0.0.1'], v6: ['::1'] })
  expect(hosts.get('db')).toEqual({ v4: ['10.0.0.5', '10.0.0.6'], v6: [] })
  expect(hosts.get('db.internal')).toEqual({ v4: ['10.0.0.5'], v6: [] })
  expect(hosts.has('foo')).toBe(false)
  expect(hosts.has('10.9.9.9')).toBe(false)
})
