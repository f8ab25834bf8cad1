// "direct": wrk talks to the upstream itself, the ceiling every proxy is measured against.

import type { Peer, PeerContext, RunningPeer } from './peer.ts'

export const direct: Peer = {
  name: 'direct',
  unavailable: () => undefined,
  async start(context: PeerContext): Promise<RunningPeer> {
    return { port: context.upstreamPort, stop: async () => {} }
  },
}
