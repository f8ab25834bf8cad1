// The load-balancer factory: a cluster's lb_policy to one of the policies in this folder. Kept out
// of load-balancer.ts (the interface) so the policies can import the interface without a cycle.

import type { ClusterConfig } from '../../config/model.ts'
import type { LoadBalancer } from '../load-balancer.ts'
import { DEFAULT_HEALTHY_PANIC_THRESHOLD, type HealthyPanic } from './healthy-panic.ts'
import { LeastRequestLoadBalancer } from './least-request.ts'
import { MaglevLoadBalancer } from './maglev.ts'
import { RingHashLoadBalancer } from './ring-hash.ts'
import { RandomLoadBalancer } from './random.ts'
import { RoundRobinLoadBalancer } from './round-robin.ts'

type BalancerConfig = Pick<ClusterConfig, 'lbPolicy'> &
  Partial<Pick<ClusterConfig, 'ringHashMinimumRingSize' | 'ringHashMaximumRingSize' | 'ringHashFunction' | 'useHostnameForHashing' | 'maglevTableSize' | 'activeRequestBias' | 'healthyPanicThreshold' | 'failTrafficOnPanic'>>

/** `onPanic`: counts cluster.<name>.lb_healthy_panic, once for every pick made in panic. */
export function createLoadBalancer(config: BalancerConfig | ClusterConfig['lbPolicy'], random: () => number = Math.random, onPanic: () => void = () => {}): LoadBalancer {
  const c: BalancerConfig = typeof config === 'string' ? { lbPolicy: config } : config
  return balancerFor(c, random, panicOf(c, onPanic))
}

/** The cluster's panic settings: healthy_panic_threshold and fail_traffic_on_panic. */
export function panicOf(c: BalancerConfig, onPanic: () => void): HealthyPanic {
  return { thresholdPercent: c.healthyPanicThreshold ?? DEFAULT_HEALTHY_PANIC_THRESHOLD, onPanic, ...(c.failTrafficOnPanic && { failTraffic: true }) }
}

/** One balancer of the cluster's policy under `panic` (a priority level's, in lb/priority-set.ts). */
export function balancerFor(c: BalancerConfig, random: () => number, panic: HealthyPanic): LoadBalancer {
  switch (c.lbPolicy) {
    case 'round_robin':
      return new RoundRobinLoadBalancer(random, panic)
    case 'least_request':
      return new LeastRequestLoadBalancer(random, c.activeRequestBias, panic)
    case 'random':
      return new RandomLoadBalancer(random, panic)
    case 'ring_hash':
      return new RingHashLoadBalancer(random, {
        ...(c.ringHashMinimumRingSize !== undefined && { minimumRingSize: c.ringHashMinimumRingSize }),
        ...(c.ringHashMaximumRingSize !== undefined && { maximumRingSize: c.ringHashMaximumRingSize }),
        ...(c.ringHashFunction !== undefined && { hashFunction: c.ringHashFunction }),
        ...(c.useHostnameForHashing !== undefined && { useHostnameForHashing: c.useHostnameForHashing }),
      }, panic)
    case 'maglev':
      return new MaglevLoadBalancer(random, {
        ...(c.maglevTableSize !== undefined && { tableSize: c.maglevTableSize }),
        ...(c.useHostnameForHashing !== undefined && { useHostnameForHashing: c.useHostnameForHashing }),
      }, panic)
  }
}
