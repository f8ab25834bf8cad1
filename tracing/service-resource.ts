// The one Resource every span carries (ReadableSpan requires one): service.name only, for SDK
// exporters that read it; the Zipkin encoding ignores it. A plain record rather than
// @opentelemetry/resources' resourceFromAttributes, which loads @opentelemetry/core with it (~5 MiB
// RSS on Bun for one object, bench/README.md "Memory"). No detectors, so nothing is ever pending.

import type { Attributes } from '@opentelemetry/api'
import type { Resource } from '@opentelemetry/resources'

class ServiceResource implements Resource {
  readonly asyncAttributesPending = false
  readonly attributes: Attributes
  constructor(attributes: Attributes) {
    this.attributes = attributes
  }
  async waitForAsyncAttributes(): Promise<void> {}
  getRawAttributes(): ReturnType<Resource['getRawAttributes']> {
    return Object.entries(this.attributes)
  }
  /** As the SDK's: the other's attributes win; a null other leaves this one. */
  merge(other: Resource | null): Resource {
    if (!other) return this
    return new ServiceResource({ ...this.attributes, ...other.attributes })
  }
}

export function serviceResource(serviceName: string): Resource {
  return new ServiceResource({ 'service.name': serviceName })
}
