// Small value shapes every Envoy writer shares: durations as proto JSON text, socket addresses.

export const seconds = (ms: number): string => `${ms / 1000}s`
export const socket = (address: string, port: number) => ({ socket_address: { address, port_value: port } })
