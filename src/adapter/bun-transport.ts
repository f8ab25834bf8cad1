// The HTTP/1.1 client's Transport on Bun sockets (src/http1/transport.ts): Bun.connect onto a
// BunSocketPipe (the queue for what the kernel did not take).

import type { SocketHandler } from 'bun'
import type { Dial } from '../http1/transport.ts'
import { BunSocketPipe } from './bun-socket-pipe.ts'

// Typed as Bun's default binaryType; at runtime `data` receives a fresh Uint8Array per callback
// (binaryType below), which is what lets the client keep views of it without copying.
const handlers: SocketHandler<BunSocketPipe> = {
  binaryType: 'uint8array' as 'buffer',
  data: (socket, bytes) => socket.data.events?.data(bytes),
  drain: (socket) => socket.data.flush(),
  close: (socket, error) => socket.data.peerClosed(error),
  // Without allowHalfOpen Bun closes the socket after the peer's FIN; close() reports it.
  error: () => {},
}

/** A socket that connects after the client gave up is destroyed by the client (src/http1/connect.ts). */
export const bunDial: Dial = async (host, port) => {
  const transport = new BunSocketPipe()
  const socket = await Bun.connect<BunSocketPipe>({ hostname: host, port, data: transport, socket: handlers })
  transport.socket = socket
  socket.setNoDelay(true)
  return transport
}
