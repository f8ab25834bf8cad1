// /zipkin/config.json: the settings Zipkin's server gives Lens (ZipkinUiConfiguration), so the
// real Lens, pointed at this store, starts with the same defaults.

export const LENS_CONFIG = {
  environment: '',
  queryLimit: 10,
  defaultLookback: 900_000,
  searchEnabled: true,
  dependency: { enabled: true, lowErrorRate: 0.5, highErrorRate: 0.75 },
} as const
