import { expect, test } from 'bun:test'
import { isInternalAddress } from './internal-address.ts'

test('loopback, RFC 1918, link-local and unique-local addresses are internal', () => {
  for (const ip of ['127.0.0.1', '127.3.4.5', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.1.1', '::1', 'fd00::1', 'fc12::3', 'fe80::1', '::ffff:10.0.0.1'])
    expect([ip, isInternalAddress(ip)]).toEqual([ip, true])
})

test('public and look-alike addresses are external', () => {
  for (const ip of ['203.0.113.7', '8.8.8.8', '172.32.0.1', '172.15.0.1', '192.169.0.1', '11.0.0.1', '2001:db8::1', '::ffff:8.8.8.8', '', 'not-an-ip'])
    expect([ip, isInternalAddress(ip)]).toEqual([ip, false])
})
