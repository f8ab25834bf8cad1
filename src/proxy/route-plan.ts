// What each route needs per request, resolved once when a listener's handler is built (and again
// on every reload, which builds new handlers): the retry policy in force, the body limits, both
// levels' header rules and whether any apply, and the x-envoy-expected-rq-timeout-ms value with
// the constant fields' prepared bytes (upstream-fields.ts).
// A request then does one map lookup for its route instead of resolving these each time.

import type { ListenerConfig, RetryPolicyConfig, RouteConfig, VirtualHostConfig } from '../config/model.ts'
import { compileHeaderRuleSets, type HeaderRuleSet } from './headers/header-rule-sets.ts'
import { ConstantFields } from './headers/upstream-fields.ts'
import type { BodyLimits } from './request-body.ts'

export type RoutePlan = {
  readonly retryPolicy: RetryPolicyConfig | undefined
  readonly bodyLimits: BodyLimits
  readonly hostRules: HeaderRuleSet
  readonly routeRules: HeaderRuleSet
  /** Either level has request header rules (they read the client's headers as sent). */
  readonly requestRules: boolean
  /** Either level has request or response header rules. */
  readonly anyRules: boolean
  /** The route timeout as the upstream is told it; undefined when the route has none. */
  readonly expectedTimeout: string | undefined
  /** x-forwarded-proto and the expected timeout as the block's prepared bytes. */
  readonly constants: ConstantFields
}

export type RoutePlans = ReadonlyMap<RouteConfig, RoutePlan>

export function compileRoutePlans(listener: ListenerConfig): RoutePlans {
  const rules = compileHeaderRuleSets(listener.virtualHosts)
  const plans = new Map<RouteConfig, RoutePlan>()
  for (const virtualHost of listener.virtualHosts) {
    for (const route of virtualHost.routes) plans.set(route, planOf(listener, virtualHost, route, rules.get(virtualHost)!, rules.get(route)!))
  }
  return plans
}

function planOf(listener: ListenerConfig, virtualHost: VirtualHostConfig, route: RouteConfig, hostRules: HeaderRuleSet, routeRules: HeaderRuleSet): RoutePlan {
  const retryPolicy = route.retryPolicy ?? virtualHost.retryPolicy
  const requestRules = hostRules.request !== undefined || routeRules.request !== undefined
  const expectedTimeout = route.timeoutMs > 0 ? String(route.timeoutMs) : undefined
  return {
    retryPolicy,
    bodyLimits: { maxBytes: listener.maxRequestBytes, bufferBytes: listener.retryBufferBytes, mayRetry: retryPolicy !== undefined && retryPolicy.numRetries > 0 },
    hostRules,
    routeRules,
    requestRules,
    anyRules: requestRules || hostRules.response !== undefined || routeRules.response !== undefined,
    expectedTimeout,
    constants: new ConstantFields(listener.tls ? 'https' : 'http', expectedTimeout),
  }
}
