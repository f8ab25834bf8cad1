// Starts test/support/recording-upstream-server.ts as a child process (Bun) and stops it by PID.

import { spawn } from 'node:child_process'
import { ROOT } from './edgeway.ts'

export type RecordingUpstream = { readonly port: number; seen(): Promise<Record<string, unknown>[]>; stop(): Promise<void> }

export async function startRecordingUpstream(args: string[]): Promise<RecordingUpstream> {
  const child = spawn(`${ROOT}node_modules/.bin/bun`, [`${ROOT}test/support/recording-upstream-server.ts`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stderr!.on('data', (b) => (err += b))
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`recording upstream did not start in 10 s: ${err}`)), 10_000)
    child.stdout!.on('data', (b) => {
      out += b
      const match = /port (\d+)/.exec(out)
      if (match) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    })
    child.once('exit', (code) => reject(new Error(`recording upstream exited with ${code}: ${err}`)))
  })
  const tls = args[0] === 'tls'
  return {
    port,
    async seen() {
      // Asked over its own protocol: curl is not needed, Bun's fetch speaks both (h2c needs node:http2).
      if (tls) return (await (await fetch(`https://127.0.0.1:${port}/__seen`, { tls: { rejectUnauthorized: false } } as RequestInit)).json()) as Record<string, unknown>[]
      const { connect } = await import('node:http2')
      const session = connect(`http://127.0.0.1:${port}`)
      try {
        return await new Promise((resolve, reject) => {
          const stream = session.request({ ':path': '/__seen' })
          let body = ''
          stream.setEncoding('utf8')
          stream.on('data', (c: string) => (body += c))
          stream.on('end', () => resolve(JSON.parse(body)))
          stream.on('error', reject)
        })
      } finally {
        session.close()
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}
