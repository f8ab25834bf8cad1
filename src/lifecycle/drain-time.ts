// How long a drain lets requests in flight finish (Envoy's --drain-time-s; Envoy's own default is
// 600 s, made for hot restarts: 5 s fits a Kubernetes pod's 30 s termination grace with room).

export const DEFAULT_DRAIN_TIME_MS = 5_000
