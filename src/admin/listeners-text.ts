// /listeners in Envoy's two shapes: `name::address:port` lines, or `listener_statuses` JSON with
// each listener's bound (not configured) address, so `port: 0` shows the port the kernel chose.

export type ListenerRow = { readonly name: string; readonly address: string; readonly port: number }

export function renderListenersText(listeners: readonly ListenerRow[]): string {
  return listeners.map((listener) => `${listener.name}::${hostPort(listener)}\n`).join('')
}

export function listenersJson(listeners: readonly ListenerRow[]) {
  return {
    listener_statuses: listeners.map((listener) => ({
      name: listener.name,
      local_address: { socket_address: { address: listener.address, port_value: listener.port } },
    })),
  }
}

function hostPort({ address, port }: ListenerRow): string {
  return address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`
}
