// A short-lived helper process: the same runtime (on Deno with this process's permission flags),
// another entry module, a request on stdin and the answer on stdout.
// Work that needs many modules only once (the config loader: YAML, zod, the schemas) runs there,
// so the modules never load into the process that serves, whose memory they would hold for good.

import { readFileSync } from 'node:fs'
import process from 'node:process'

declare const Deno: {
  mainModule: string
  permissions: { querySync(descriptor: { name: string }): { state: string } }
}

export type HelperResult = { readonly code: number | null; readonly stdout: string }

/** Runs `entry` (a module URL) with `input` on its stdin; stderr is inherited. Undefined when this process may not start one (Deno without --allow-run). */
export function runHelper(entry: string, input: string): Promise<HelperResult> | undefined {
  if ('Deno' in globalThis && Deno.permissions.querySync({ name: 'run' }).state !== 'granted') return undefined
  // Bun's own fileURLToPath: node:url and node:path (with the node stream code they share with
  // process.stdout) stay out of the process that serves; Deno loads them below, when it spawns.
  return 'Bun' in globalThis ? runOnBun([process.execPath, Bun.fileURLToPath(entry)], input) : runOnNodeApi(entry, input)
}

/**
 * Bun.spawn, not node:child_process: that module (and the node streams under it) stays resident
 * in the process that serves once loaded, ~0.5 MiB there (bench/README "Memory, stop 25").
 */
async function runOnBun(commandLine: string[], input: string): Promise<HelperResult> {
  // env as it is now, as node:child_process passes it (set at run time too: tests, ${VAR} configs)
  const child = Bun.spawn(commandLine, { env: process.env, stdin: 'pipe', stdout: 'pipe', stderr: 'inherit' })
  // A helper that dies before reading its request: its exit code says so, not an EPIPE here.
  try {
    child.stdin.write(input)
    void Promise.resolve(child.stdin.end()).catch(() => {})
  } catch {
    // the pipe is closed: the exit code below tells why
  }
  const stdout = await new Response(child.stdout).text()
  await child.exited
  return { code: child.exitCode, stdout }
}

/** Deno (and Node): node:child_process, loaded only there. */
async function runOnNodeApi(entry: string, input: string): Promise<HelperResult> {
  const [{ spawn }, { fileURLToPath }, { resolve }] = await Promise.all([import('node:child_process'), import('node:url'), import('node:path')])
  const [command, ...args] = helperCommandLine(fileURLToPath(entry), fileURLToPath, resolve)
  return new Promise((done, fail) => {
    const child = spawn(command!, args, { stdio: ['pipe', 'pipe', 'inherit'] })
    const chunks: Buffer[] = []
    child.stdout!.on('data', (chunk: Buffer) => chunks.push(chunk))
    child.once('error', fail)
    // A helper that dies before reading its request: its exit code says so, not an EPIPE here.
    child.stdin!.on('error', () => {})
    child.once('close', (code) => done({ code, stdout: Buffer.concat(chunks).toString('utf8') }))
    child.stdin!.end(input)
  })
}

/**
 * Deno: `deno run` with this process's own flags, so a scoped --allow-read=... carries over as it
 * is. (Bun runs the runtime and the entry: its flags change nothing for a short-lived loader, and
 * under `bun test` the command line is the test runner's.)
 */
function helperCommandLine(entry: string, fileURLToPath: (url: string) => string, resolve: (path: string) => string): string[] {
  if (!('Deno' in globalThis)) return [process.execPath, entry]
  const main = fileURLToPath(Deno.mainModule)
  try {
    const argv = readFileSync('/proc/self/cmdline', 'utf8').split('\0')
    const at = argv.findIndex((arg, i) => i > 1 && resolve(arg) === main)
    if (argv[1] === 'run' && at > 0) return [process.execPath, ...argv.slice(1, at), entry]
  } catch {
    // no /proc: rebuild below
  }
  const granted = ['net', 'env', 'read', 'sys', 'write'].filter((name) => Deno.permissions.querySync({ name }).state === 'granted')
  return [process.execPath, 'run', ...granted.map((name) => `--allow-${name}`), entry]
}
