// Runs Debian's curl as a child process (async: an in-process proxy must keep serving meanwhile)
// and returns status, negotiated HTTP version, headers and body.

import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export type CurlResult = { readonly exitCode: number; readonly status: number; readonly httpVersion: string; readonly headers: Record<string, string>; readonly body: string; readonly stderr: string }

const MARK = '\n--edgeway-curl--'

export function curl(args: string[], timeoutMs = 10_000): Promise<CurlResult> {
  // Heads go to a file: curl crashed (SIGSEGV) writing -D /dev/stderr into the pipe Bun gives it.
  const dir = mkdtempSync(join(tmpdir(), 'edgeway-curl-'))
  const headFile = join(dir, 'head')
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['-sS', '--max-time', String(timeoutMs / 1000), '-D', headFile, '-w', `${MARK}%{http_code} %{http_version}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    child.stdout.on('data', (b) => (out += b))
    child.stderr.on('data', (b) => (err += b))
    child.on('error', (error) => reject((error as { code?: string }).code === 'ENOENT' ? new Error('curl is not installed (apt-get install curl)') : error))
    child.on('close', (code) => {
      const at = out.lastIndexOf(MARK)
      const [status, httpVersion] = out.slice(at + MARK.length).split(' ')
      const headers: Record<string, string> = {}
      // -D writes every response head; the last one is the answer that counted.
      let head = ''
      try {
        head = readFileSync(headFile, 'latin1')
      } catch {
        // no response head arrived
      }
      rmSync(dir, { recursive: true, force: true })
      const heads = head.split(/\r?\n\r?\n/).filter((h) => /^HTTP\//.test(h.trim()))
      for (const line of (heads.at(-1) ?? '').split(/\r?\n/).slice(1)) {
        const colon = line.indexOf(':')
        if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim()
      }
      resolve({ exitCode: code ?? -1, status: Number(status), httpVersion: httpVersion ?? '', headers, body: at < 0 ? out : out.slice(0, at), stderr: err })
    })
  })
}
