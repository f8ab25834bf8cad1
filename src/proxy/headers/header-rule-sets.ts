// Every virtual host's and route's request/response header rules, compiled once per listener so
// a request only looks its two levels up (undefined where a level has no rules).

import type { RouteConfig, VirtualHostConfig } from '../../config/model.ts'
import { compileHeaderRules, type HeaderMutation } from '../../routing/header-rules.ts'

export type HeaderRuleSet = { readonly request: HeaderMutation | undefined; readonly response: HeaderMutation | undefined }

export type HeaderRuleSets = ReadonlyMap<VirtualHostConfig | RouteConfig, HeaderRuleSet>

export function compileHeaderRuleSets(virtualHosts: readonly VirtualHostConfig[]): HeaderRuleSets {
  const rules = new Map<VirtualHostConfig | RouteConfig, HeaderRuleSet>()
  const compile = (level: VirtualHostConfig | RouteConfig): HeaderRuleSet => ({
    request: level.requestHeadersToAdd.length || level.requestHeadersToRemove.length ? compileHeaderRules(level.requestHeadersToAdd, level.requestHeadersToRemove) : undefined,
    response: level.responseHeadersToAdd.length || level.responseHeadersToRemove.length ? compileHeaderRules(level.responseHeadersToAdd, level.responseHeadersToRemove) : undefined,
  })
  for (const virtualHost of virtualHosts) {
    rules.set(virtualHost, compile(virtualHost))
    for (const route of virtualHost.routes) rules.set(route, compile(route))
  }
  return rules
}
