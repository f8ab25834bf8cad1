import { describe, expect, test } from 'bun:test'
import { candidateNames, parseResolvConf } from './resolv-conf.ts'

describe('parseResolvConf', () => {
  test("a Kubernetes pod's file: nameserver, search list, ndots:5", () => {
    const conf = parseResolvConf('nameserver 10.96.0.10\nsearch default.svc.cluster.local svc.cluster.local cluster.local\noptions ndots:5\n')
    expect(conf).toEqual({ nameservers: ['10.96.0.10:53'], search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5, timeoutMs: undefined, attempts: undefined })
  })
  test('comments, ports, IPv6, timeout/attempts, the last search/domain line wins, junk ignored', () => {
    const conf = parseResolvConf(
      '# generated\nnameserver 127.0.0.1:5353\nnameserver ::1\nnameserver fe80::1%eth0\nnameserver not-an-ip\ndomain old.example\nsearch a.example. B.example ; trailing\noptions timeout:3 attempts:4 rotate ndots:x\nbogus line\n',
    )
    expect(conf.nameservers).toEqual(['127.0.0.1:5353', '[::1]:53', '[fe80::1]:53'])
    expect(conf.search).toEqual(['a.example', 'b.example'])
    expect(conf).toMatchObject({ ndots: 1, timeoutMs: 3000, attempts: 4 })
    expect(parseResolvConf('search x.example\ndomain y.example\n').search).toEqual(['y.example'])
  })
  test("no nameserver (or no file): the local resolver, glibc's default; limits as glibc's", () => {
    expect(parseResolvConf('').nameservers).toEqual(['127.0.0.1:53'])
    expect(parseResolvConf('options ndots:40 timeout:99 attempts:9').ndots).toBe(15)
    expect(parseResolvConf('options timeout:99 attempts:9')).toMatchObject({ timeoutMs: 30_000, attempts: 5 })
  })
})

describe('candidateNames', () => {
  const k8s = { search: ['ns.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], ndots: 5 }
  test('fewer dots than ndots: the search list first, then the name as written', () => {
    expect(candidateNames('service1', k8s)).toEqual(['service1.ns.svc.cluster.local', 'service1.svc.cluster.local', 'service1.cluster.local', 'service1'])
  })
  test('at least ndots dots: the name first, then the search list', () => {
    expect(candidateNames('a.b', { search: ['x.example'], ndots: 1 })).toEqual(['a.b', 'a.b.x.example'])
  })
  test('a trailing dot is absolute: only the name', () => {
    expect(candidateNames('service1.ns.svc.cluster.local.', k8s)).toEqual(['service1.ns.svc.cluster.local'])
  })
  test('no search list: the name alone', () => {
    expect(candidateNames('service1', { search: [], ndots: 1 })).toEqual(['service1'])
  })
})
