import { expect, test } from 'bun:test'
import { redactPrivateKeys } from './certs.ts'

test('redactPrivateKeys replaces every privateKeyPem, however deep, and keeps the rest', () => {
  const config = { listeners: [{ name: 'l', tls: { certificates: [{ certificateChainPem: 'CERT', privateKeyPem: '-----BEGIN PRIVATE KEY-----' }] } }], n: 1 }
  expect(redactPrivateKeys(config)).toEqual({ listeners: [{ name: 'l', tls: { certificates: [{ certificateChainPem: 'CERT', privateKeyPem: '[redacted]' }] } }], n: 1 })
  expect(config.listeners[0]!.tls.certificates[0]!.privateKeyPem).toContain('PRIVATE KEY')
})
