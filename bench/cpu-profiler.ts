// V8's sampling profiler in this process, through node:inspector (both runtimes: Deno has no
// --cpu-prof), for the in-process bench tools' --profile flag.

/** Starts the profiler; the returned function stops it and hands the profile over. */
export async function startProfiler(): Promise<() => Promise<unknown>> {
  const { Session } = await import('node:inspector')
  const session = new Session()
  session.connect()
  const post = (method: string, params: object = {}) =>
    new Promise<{ profile?: unknown }>((resolve, reject) => session.post(method, params, (error, result) => (error ? reject(error) : resolve(result as { profile?: unknown }))))
  await post('Profiler.enable')
  await post('Profiler.setSamplingInterval', { interval: 100 })
  await post('Profiler.start')
  return async () => (await post('Profiler.stop')).profile
}
