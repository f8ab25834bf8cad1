// A bare Bun.serve in a process of its own, for the differential tests that compare edgeway's
// parser, request URL or response writer with what Bun.serve does: in the test's own process
// another file may have changed process-wide settings (node:http's maxHeaderSize,
// src/adapter/bun-header-limit.ts) that move Bun.serve's verdicts.

export type BareBunServe = { readonly port: number; stop(): Promise<void> }

/** Runs `script` (it must print the port it listens on, then a newline) with `bunArgs` before `-e`. */
export async function startBareBunServe(script: string, options: { bunArgs?: readonly string[]; stderr?: 'inherit' | 'ignore' } = {}): Promise<BareBunServe> {
  const server = Bun.spawn([process.execPath, ...(options.bunArgs ?? []), '-e', script], { stdout: 'pipe', stderr: options.stderr ?? 'inherit' })
  const reader = (server.stdout as ReadableStream<Uint8Array>).getReader()
  let text = ''
  while (!text.includes('\n')) {
    const { done, value } = await reader.read()
    if (done) throw new Error(`the bare Bun.serve exited before it listened: ${text}`)
    text += new TextDecoder().decode(value)
  }
  reader.releaseLock()
  return {
    port: Number(text.trim()),
    stop: async () => {
      server.kill()
      await server.exited
    },
  }
}
