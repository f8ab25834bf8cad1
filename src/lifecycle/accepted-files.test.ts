import { expect, test } from 'bun:test'
import { AcceptedFiles } from './accepted-files.ts'

test('a reload started by one file reads the others as last accepted; a full reload reads all fresh', () => {
  const disk = new Map([['/lds.yaml', 'lds 1'], ['/cds.yaml', 'cds 1'], ['/cert.pem', 'cert 1']])
  const files = new AcceptedFiles((path) => disk.get(path)!)
  files.begin(undefined)
  expect(['/lds.yaml', '/cds.yaml', '/cert.pem'].map(files.readFile)).toEqual(['lds 1', 'cds 1', 'cert 1'])
  files.track(['/lds.yaml', '/cds.yaml'])
  files.commit()

  // cds.yaml breaks: its own reload reads it, and is rejected (no commit).
  disk.set('/cds.yaml', 'cds broken')
  files.begin('/cds.yaml')
  expect(files.readFile('/cds.yaml')).toBe('cds broken')
  // lds.yaml changes next: read with the cds.yaml last accepted; certificates always fresh.
  disk.set('/lds.yaml', 'lds 2')
  disk.set('/cert.pem', 'cert 2')
  files.begin('/lds.yaml')
  expect(['/lds.yaml', '/cds.yaml', '/cert.pem'].map(files.readFile)).toEqual(['lds 2', 'cds 1', 'cert 2'])
  files.commit()
  files.begin('/cds.yaml')
  expect(files.readFile('/lds.yaml')).toBe('lds 2')
  // SIGHUP: everything as it is on disk.
  files.begin(undefined)
  expect(files.readFile('/cds.yaml')).toBe('cds broken')
})

test('a load done by another process reads the pinned texts and records what it read, as readFile does', () => {
  const disk = new Map([['/lds.yaml', 'lds 1'], ['/cds.yaml', 'cds 1']])
  const files = new AcceptedFiles((path) => disk.get(path)!)
  files.begin(undefined)
  expect(files.pinned()).toEqual({})
  files.record([['/lds.yaml', 'lds 1'], ['/cds.yaml', 'cds 1'], ['/cert.pem', 'cert 1']])
  files.track(['/lds.yaml', '/cds.yaml'])
  files.commit()
  expect(files.accepted('/cds.yaml')).toBe('cds 1')
  expect(files.accepted('/cert.pem')).toBeUndefined()

  files.begin('/cds.yaml')
  expect(files.pinned()).toEqual({ '/lds.yaml': 'lds 1' })
  files.record([['/cds.yaml', 'cds 2']])
  files.commit()
  files.begin('/lds.yaml')
  expect(files.pinned()).toEqual({ '/cds.yaml': 'cds 2' })
})
