// The load-balancer factory: a cluster's lb_policy to one of the policies in this folder. Kept out
// of load-balancer.ts (the interface) so the policies can import the interface without a cycle.

import type { LbPolicy } from '../../config/model.ts'
import type { LoadBalancer } from '../load-balancer.ts'
import { LeastRequestLoadBalancer } from './least-request.ts'
import { RandomLoadBalancer } from './random.ts'
import { RoundRobinLoadBalancer } from './round-robin.ts'

export function createLoadBalancer(policy: LbPolicy, random: () => number = Math.random): LoadBalancer {
  switch (policy) {
    case 'round_robin':
      return new RoundRobinLoadBalancer()
    case 'least_request':
      return new LeastRequestLoadBalancer(random)
    case 'random':
      return new RandomLoadBalancer(random)
  }
}
