// nginx as the reference proxy: 1 worker, upstream keepalive, HTTP/1.1 upstream, no buffering, no access log.

import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, waitForPort } from '../free-port.ts'
import { START_TIMEOUT_MS, type Peer, type PeerContext, type RunningPeer } from './peer.ts'
import { toolPath } from '../tools.ts'

export function nginxConfig(dir: string, port: number, upstreamPort: number, workers = 1): string {
  const temp = (name: string) => join(dir, 'temp', name)
  return `worker_processes ${workers};
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${temp('body')};
  proxy_temp_path ${temp('proxy')};
  fastcgi_temp_path ${temp('fastcgi')};
  uwsgi_temp_path ${temp('uwsgi')};
  scgi_temp_path ${temp('scgi')};
  # wrk keeps its connections for the whole run; nginx's default would reconnect every 1000 requests
  keepalive_requests 1000000;
  upstream service1 {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
    keepalive_requests 1000000;
  }
  server {
    listen 127.0.0.1:${port};
    location /service/1 {
      proxy_pass http://service1;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
    }
  }
}
`
}

/** nginx with `workers` worker processes (`nginx` is the 1-worker reference; `nginx-wN` for --pin scaling). */
export function nginxPeer(workers = 1): Peer {
  const name = workers === 1 ? 'nginx' : `nginx-w${workers}`
  return {
    name,
    unavailable: () => (toolPath('nginx') ? undefined : 'nginx is not installed'),
    async start(context: PeerContext): Promise<RunningPeer> {
      const port = await freePort()
      mkdirSync(join(context.workDir, 'temp'), { recursive: true })
      const conf = join(context.workDir, 'nginx.conf')
      writeFileSync(conf, nginxConfig(context.workDir, port, context.upstreamPort, workers))
      const args = ['-p', context.workDir, '-c', conf, '-e', join(context.workDir, 'error.log'), '-g', 'daemon off;']
      const started = context.processes.start(name, toolPath('nginx') as string, args, { logFile: join(context.workDir, 'stdout.log') })
      await waitForPort(port, START_TIMEOUT_MS, started.alive)
      return { port, pid: started.pid, stop: () => context.processes.stop(started) }
    },
  }
}

export const nginx = nginxPeer(1)
