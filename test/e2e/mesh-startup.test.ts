// The launcher's honesty (`npm start`): the banner never precedes a working mesh (the front proxy
// starts once every replica is in DNS, the banner once every route answers through it), and a
// replica that can never start (bad env) stops the launch with exit 1 naming it: no restart loop,
// no banner after a timeout.

import { afterAll, describe, expect, test } from 'bun:test'
import { eventually, isAlive, launchMesh, sleep, type Mesh } from '../support/mesh-launcher.ts'

const meshes: Mesh[] = []
afterAll(async () => {
  await Promise.all(meshes.map((m) => m.cleanUp()))
})

describe('a healthy start', () => {
  test('replicas are in DNS before the front proxy starts; every request after the banner is 2xx', async () => {
    const mesh = await launchMesh('mesh-startup', ['--no-stdin'])
    meshes.push(mesh)
    // Lines are buffered (up to --file-flush-interval-msec): the launcher's warm-up probes may be written
    // after the banner, so the test's own requests are told apart by their start time.
    const testStartMs = Date.now()
    const startedByTest = (l: string) => Date.parse(/\[(\d{4}-[^\]]+)\]/.exec(l)?.[1] ?? '') >= testStartMs
    const statuses = await Promise.all(
      Array.from({ length: 10 }, () => ['/service/1', '/service/2', '/trace/1'].map(async (path) => (await fetch(`${mesh.edge}${path}`)).status)).flat(),
    )
    expect(statuses).toEqual(Array(30).fill(200))
    // Access-log lines are written in batches after the responses: wait for the 30 to be out.
    const loggedAfterBanner = () => {
      const all = mesh.log().split('\n')
      return all.slice(all.findIndex((l) => l.includes('edgeway local mesh is up'))).filter((l) => /^front-proxy\s+\| \[.*\] "GET /.test(l) && startedByTest(l)).length
    }
    for (const until = Date.now() + 5_000; loggedAfterBanner() < 30 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 50))
    const log = mesh.log()
    const lines = log.split('\n')
    const frontStart = lines.findIndex((l) => l.startsWith('front-proxy '))
    const inDns = lines.map((l, i) => (/ ready: service[12] → /.test(l) ? i : -1)).filter((i) => i >= 0)
    expect(inDns.length).toBe(4) // service1 x3, service2 x1
    expect(Math.max(...inDns)).toBeLessThan(frontStart)
    // Every request the front proxy logged after the banner (the test's, not the launcher's probes) is 2xx.
    const banner = lines.findIndex((l) => l.includes('edgeway local mesh is up'))
    expect(banner).toBeGreaterThan(frontStart)
    const after = lines.slice(banner).filter((l) => /^front-proxy\s+\| \[.*\] "GET /.test(l) && startedByTest(l))
    expect(after.length).toBeGreaterThanOrEqual(30)
    expect(after.filter((l) => !/" 200 /.test(l))).toEqual([])
  }, 90_000)
})

describe('a replica that can never start', () => {
  test('the launcher names it and exits 1, without restarting it or printing the banner', async () => {
    const mesh = await launchMesh('mesh-bad-env', ['--no-stdin', '--scale', 'service1=1', '--env', 'service2:ERROR_RATE=lots'], { wait: false })
    meshes.push(mesh)
    const code = await Promise.race([mesh.exited, new Promise<string>((resolve) => setTimeout(() => resolve('still running after 45 s'), 45_000))])
    const log = mesh.log()
    expect({ code, log }).toMatchObject({ code: 1 })
    expect(log).toContain('ERROR_RATE: expected a number 0-100, got "lots"')
    expect(log).toContain('service2-1/app exited with code 1')
    expect(log).toContain('not restarting it')
    expect(log).toContain('the mesh did not start: service2-1/app could not start')
    expect(log).not.toContain('restarting in')
    expect(log).not.toContain('edgeway local mesh is up')
    expect(mesh.status().state).toBe('stopped')
  }, 60_000)
})

describe('npm start, stopped as a user or a supervisor stops it', () => {
  test("SIGTERM to npm's own process stops the launcher and every process it started", async () => {
    // npm hands the signal to its script's process and exits; the script must be that process
    // itself (exec), or a shell in between dies and leaves the launcher orphaned and serving.
    const mesh = await launchMesh('mesh-npm-stop', ['--no-stdin', '--scale', 'service1=1'], { viaNpm: true })
    meshes.push(mesh)
    const { launcherPid, pidsSeen } = mesh.status()
    const pids = [launcherPid, ...pidsSeen]
    expect(launcherPid).not.toBe(mesh.launcher.pid)
    expect(pidsSeen.length).toBeGreaterThanOrEqual(6)
    mesh.launcher.kill('SIGTERM')
    await Promise.race([mesh.exited, sleep(20_000)])
    await eventually('every process stopped', () => pids.filter(isAlive).length === 0 || undefined, 20_000, mesh.logFile)
    expect(mesh.status().state).toBe('stopped')
    expect(mesh.log()).toContain('every process stopped')
    expect(await fetch(`${mesh.edge}/service/1`).then(() => 'answered', () => 'refused')).toBe('refused')
  }, 90_000)
})
