// The headers an attempt sends upstream: the client's, minus hop-by-hop and untrusted x-envoy-*
// control headers, plus x-request-id, x-forwarded-*, the expected timeout and Host rewrite.
// Where the runtime lets the proxy edit the incoming Headers (Bun, Deno's snapshot), they are
// edited in place: one pass that deletes what must not cross, instead of a fresh Headers and an
// append per header. The proxy's own fields whose names did not arrive go into the block beside
// them (upstream-fields.ts), not into the Headers.

import type { ConnInfo } from '../../runtime.ts'
import type { ListenerConfig } from '../../config/model.ts'
import { arrival, clearFields, takeField } from './arrival-fields.ts'
import { connectionTokens, isHopByHop, tokensOf } from './hop-by-hop.ts'
import { isSingleInternalAddress } from './internal-address.ts'
import { ConstantFields, UpstreamFields } from './upstream-fields.ts'

export type ForwardingFacts = {
  /** The downstream peer; read only when the listener uses the remote address. */
  readonly peer: ConnInfo
  readonly requestId: string | undefined
  readonly hostRewrite: string | undefined
  /** x-envoy-expected-rq-timeout-ms (the route timeout in ms, as text); undefined for none. */
  readonly expectedTimeout: string | undefined
  /** The route plan's constant block (x-forwarded-proto, the expected timeout); made here when absent. */
  readonly constants?: ConstantFields
  /** The request's authority (Host, or the URL's for HTTP/2 without one). */
  readonly authority?: string
  /** The request came from an internal client (RequestInfo.internal); read only when the listener uses the remote address. */
  readonly internal?: boolean
  /** x-forwarded-for as the client sent it (null: none); read only when the listener does not use the remote address. */
  readonly forwardedFor?: string | null
  /** add_user_agent: the node's cluster and id (Envoy's --service-cluster and --service-node). */
  readonly downstreamService?: { readonly cluster: string; readonly id: string }
}

/**
 * `inPlace`: edit `incoming` itself (the caller no longer needs it as the client sent it).
 * `scanned`: what scanRequestHeaders found, when the request's headers were walked on arrival
 * already (they have not changed since): the in-place edit then needs no walk of its own, no
 * has() for the fields the walk saw or not, and a field the proxy adds whose name did not arrive
 * goes into the block (upstream-fields.ts) instead of the Headers. Without `scanned`, every
 * field is set into the Headers, as a name may be there.
 */
export function upstreamFields(incoming: Headers, listener: ListenerConfig, facts: ForwardingFacts, inPlace = false, scanned?: Scanned): UpstreamFields {
  let headers: Headers
  let hasProto: boolean | undefined
  let hasHost: boolean | undefined
  if (inPlace) {
    headers = incoming
    // Collected first: deleting while forEach walks the list would skip the entry after each deletion.
    const drop = scanned ? scanned.drop : collect(incoming, listener)
    for (const name of drop) headers.delete(name)
    // Neither is ever dropped (not hop-by-hop, not x-envoy-*) unless a Connection field names it.
    if (scanned && drop.length === 0) {
      hasProto = scanned.forwardedProto
      hasHost = scanned.host
    }
  } else {
    listed = connectionTokens(incoming)
    dropsEnvoy = !listener.trustEnvoyHeaders
    headers = copy = new Headers()
    // forEach, not for-of: the same on Bun, ten times faster on Deno.
    incoming.forEach(copyCrossing)
    copy = undefined
    listed = undefined
  }
  const proto = listener.tls ? 'https' : 'http'
  // Absent from the headers as edited: a name that did not arrive (a copy or the edit only drops
  // names), or an x-envoy-* name where the listener drops every client x-envoy-* field.
  const protoAbsent = scanned !== undefined && !scanned.forwardedProto
  const ownEnvoy = !listener.trustEnvoyHeaders
  const timeoutInBlock = ownEnvoy && facts.expectedTimeout !== undefined
  const constants = facts.constants ?? new ConstantFields(proto, facts.expectedTimeout)
  // x-forwarded-proto goes out whenever it did not arrive (Envoy sets it from the connection then).
  const fields = new UpstreamFields(headers, constants.of(protoAbsent, timeoutInBlock))
  if (protoAbsent) hasProto = true
  if (facts.requestId !== undefined) {
    if (scanned !== undefined && !scanned.requestId) fields.add('x-request-id', facts.requestId)
    else headers.set('x-request-id', facts.requestId)
  }
  if (listener.useRemoteAddress) {
    const remoteAddress = facts.peer.remoteAddress
    let xff: string | null = null
    if (scanned !== undefined && !scanned.forwardedFor) fields.add('x-forwarded-for', remoteAddress)
    else {
      xff = headers.get('x-forwarded-for')
      headers.set('x-forwarded-for', xff ? `${xff}, ${remoteAddress}` : remoteAddress)
    }
    // The edge decides the scheme itself: the client's own x-forwarded-proto is replaced.
    if (listener.xffNumTrustedHops === 0 && !protoAbsent) {
      headers.set('x-forwarded-proto', proto)
      hasProto = true
    }
    // Envoy at the edge: an internal client's request is marked internal; an external one enters
    // the trusted network here and carries its trusted client address for the hops behind.
    if (facts.internal) setEnvoyField(fields, ownEnvoy, 'x-envoy-internal', 'true')
    else {
      if (!ownEnvoy) headers.delete('x-envoy-internal')
      setEnvoyField(fields, ownEnvoy, 'x-envoy-external-address', downstreamAddressFrom(xff, listener, remoteAddress))
    }
  } else if (facts.forwardedFor && isSingleInternalAddress(facts.forwardedFor)) {
    // Envoy behind an edge: one internal address in x-forwarded-for is an internal request.
    setEnvoyField(fields, ownEnvoy, 'x-envoy-internal', 'true')
  } else if (listener.trustEnvoyHeaders) {
    // Only this proxy's own decision crosses, even from a trusted hop (untrusted x-envoy-* are dropped above).
    headers.delete('x-envoy-internal')
  }
  // Envoy sets it from the downstream connection when absent: https when this listener terminated TLS.
  if (!(hasProto ?? headers.has('x-forwarded-proto'))) headers.set('x-forwarded-proto', proto)
  // HTTP/2 carries the authority as :authority; a runtime that does not turn it into Host (Deno) leaves it out.
  if (!(hasHost ?? headers.has('host')) && facts.authority) headers.set('host', facts.authority)
  if (facts.hostRewrite !== undefined) {
    const original = headers.get('host')
    if (original) headers.set('x-forwarded-host', original)
    headers.set('host', facts.hostRewrite)
  }
  if (facts.expectedTimeout !== undefined && !timeoutInBlock) headers.set('x-envoy-expected-rq-timeout-ms', facts.expectedTimeout)
  const service = facts.downstreamService
  if (service) {
    // Envoy's add_user_agent: the next hop learns who called it (its fault filter reads the cluster).
    headers.set('x-envoy-downstream-service-cluster', service.cluster)
    if (!headers.get('user-agent')) headers.set('user-agent', service.cluster)
    if (service.id) headers.set('x-envoy-downstream-service-node', service.id)
  }
  return fields
}

/** An x-envoy-* field of this proxy's own: into the block where no client x-envoy-* field crossed. */
function setEnvoyField(fields: UpstreamFields, ownEnvoy: boolean, name: string, value: string): void {
  if (ownEnvoy) fields.add(name, value)
  else fields.base.set(name, value)
}

/**
 * One walk of the request's headers on arrival: their size as HTTP/1.1 sends them (`name: value\r\n`,
 * for the header-size limit), returned; the names that must not cross, for takeScanned() right
 * after; and the fields the phases read, into `arrival` (arrival-fields.ts). The in-place edit for
 * forwarding then deletes those names without walking the headers again (each walk makes a string
 * of every name and value: ~0.45 µs for a browser's ten headers on Bun).
 */
export function scanRequestHeaders(incoming: Headers, listener: ListenerConfig): number {
  dropsEnvoy = !listener.trustEnvoyHeaders
  counted = 0
  fieldsSeen = 0
  dropped = undefined
  clearFields(arrival)
  incoming.forEach(countAndCollect)
  scanned = dropped ?? NONE
  dropped = undefined
  // What a Connection field names must not cross either: known only once the walk has seen it, so
  // such a request (rare: browsers send `keep-alive`, which names nothing) is walked once more.
  if (tokensOf(arrival.connection) !== undefined) scanned = collect(incoming, listener)
  // Which of the fields the edit sets arrived: the bits of takeScanned()'s record.
  arrived = (arrival.host !== null ? HOST : 0) | (sawProto ? PROTO : 0) | (arrival.requestId !== null ? REQUEST_ID : 0) | (arrival.forwardedFor !== null ? FORWARDED_FOR : 0)
  sawProto = false
  return counted
}

/**
 * The fields the last scanRequestHeaders walked, as forEach lists them (repeats of a name joined
 * by the runtime, set-cookie apart): what max_request_headers_count bounds.
 */
export function scannedFieldCount(): number {
  return fieldsSeen
}

/**
 * What the arrival walk found: the names that must not cross, and which fields the edit sets
 * arrived (absent ones are added without a look, into the block where upstream-fields.ts keeps them).
 */
export type Scanned = {
  readonly drop: readonly string[]
  readonly host: boolean
  readonly forwardedProto: boolean
  readonly requestId: boolean
  readonly forwardedFor: boolean
}

const HOST = 1
const PROTO = 2
const REQUEST_ID = 4
const FORWARDED_FOR = 8

function scannedOf(drop: readonly string[], bits: number): Scanned {
  return { drop, host: (bits & HOST) !== 0, forwardedProto: (bits & PROTO) !== 0, requestId: (bits & REQUEST_ID) !== 0, forwardedFor: (bits & FORWARDED_FOR) !== 0 }
}

/** What the last scanRequestHeaders found (to be taken before any other request's scan). */
export function takeScanned(): Scanned {
  const drop = scanned
  scanned = NONE
  // The common request drops nothing: one of sixteen shared records, nothing allocated.
  if (drop.length === 0) return NOTHING_DROPPED[arrived]!
  return scannedOf(drop, arrived)
}

const NOTHING_DROPPED: readonly Scanned[] = Array.from({ length: 16 }, (_, bits) => scannedOf([], bits))

function collect(incoming: Headers, listener: ListenerConfig): readonly string[] {
  listed = connectionTokens(incoming)
  dropsEnvoy = !listener.trustEnvoyHeaders
  dropped = undefined
  incoming.forEach(collectDropped)
  listed = undefined
  const names = dropped ?? NONE
  dropped = undefined
  return names
}

// The forEach callbacks' state in module variables, not closures made per request: a request's
// headers are walked start to end inside one call, so two walks never interleave.
const NONE: readonly string[] = []
let listed: Set<string> | undefined
let dropsEnvoy = false
let dropped: string[] | undefined
let copy: Headers | undefined
let counted = 0
let fieldsSeen = 0
let scanned: readonly string[] = NONE
let sawProto = false
let arrived = 0

function countAndCollect(value: string, name: string): void {
  counted += name.length + value.length + 4
  fieldsSeen++
  takeField(arrival, name, value)
  if (name === 'x-forwarded-proto') sawProto = true
  if (!crosses(name)) (dropped ??= []).push(name)
}

function crosses(name: string): boolean {
  return !isHopByHop(name) && !listed?.has(name) && !(dropsEnvoy && name.startsWith('x-envoy-'))
}

function collectDropped(_value: string, name: string): void {
  if (!crosses(name)) (dropped ??= []).push(name)
}

function copyCrossing(value: string, name: string): void {
  if (crosses(name)) copy!.append(name, value)
}

/** The client address as Envoy derives it: the peer, or the XFF entry `trusted hops` from the right. */
export function downstreamAddress(incoming: Headers, listener: ListenerConfig, peer: string): string {
  if (!listener.useRemoteAddress || listener.xffNumTrustedHops === 0) return peer
  return addressFrom(incoming.get('x-forwarded-for'), listener, peer)
}

/** downstreamAddress from the x-forwarded-for value already read (null: none). */
export function downstreamAddressFrom(forwardedFor: string | null, listener: ListenerConfig, peer: string): string {
  if (!listener.useRemoteAddress || listener.xffNumTrustedHops === 0) return peer
  return addressFrom(forwardedFor, listener, peer)
}

function addressFrom(forwardedFor: string | null, listener: ListenerConfig, peer: string): string {
  const hops = (forwardedFor ?? '').split(',').map((s) => s.trim()).filter(Boolean)
  return hops[hops.length - listener.xffNumTrustedHops] ?? peer
}
