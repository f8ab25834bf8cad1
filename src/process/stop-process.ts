// Stopping a supervised process the one way both supervisors do: SIGTERM, SIGKILL once the grace
// period has passed without an exit, and the exit awaited either way.

export type Killable = {
  kill(signal: 'SIGTERM' | 'SIGKILL'): void
  /** Settles when the process has exited. */
  readonly exited: Promise<unknown>
}

/** Resolves once the process exited; `onForce` runs just before a SIGKILL (to say so). */
export async function stopProcess(process: Killable, graceMs: number, onForce?: () => void): Promise<void> {
  process.kill('SIGTERM')
  let exited = false
  const killer = setTimeout(() => {
    if (exited) return
    onForce?.()
    process.kill('SIGKILL')
  }, graceMs)
  try {
    await process.exited
  } finally {
    exited = true
    clearTimeout(killer)
  }
}
