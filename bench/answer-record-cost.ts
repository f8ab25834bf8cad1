// CPU ns per upstream answer on the byte listener's whole-body path, made + edited once + written:
// the client's Response (wholeBodyResponse and the head's fields appended into its native Headers,
// as exchange.ts makes it by default) against the UpstreamAnswer record (AnswerFields over the
// head's flat fields, as it makes it under EDGEWAY_LISTENER=bytes). The edits are the response
// phase's usual ones (server replaced, service time set); the write is ResponseWriter's with the
// field walk bun-listen.ts gives it, onto a transport that takes everything. Contenders alternate
// within each round; min / median / max of the rounds. `bun bench/answer-record-cost.ts`.

import { ResponseWriter, type ResponseFacts, type WriterTransport } from '../src/http1/response-writer.ts'
import { AnswerFields } from '../src/http1/answer-fields.ts'
import { bunResponseFields } from '../src/adapter/bun-response-fields.ts'
import { UpstreamAnswer } from '../src/upstream/upstream-answer.ts'
import { wholeBodyResponse } from '../src/upstream/whole-body.ts'
import { marksHopByHopFree } from '../src/upstream/hop-by-hop-free.ts'
import type { ProxyResponse } from '../src/runtime.ts'

const ROUNDS = 7
const CALLS = 200_000
let sink = 0
const transport: WriterTransport = { closed: false, copiesWrites: true, write: (b) => ((sink += b.byteLength), true), writeRange: (_b, s, e) => ((sink += e - s), true), destroy: () => {} }
const writer = new ResponseWriter(transport, bunResponseFields)
const facts: ResponseFacts = { method: 'GET', version: 11, keepAlive: true }
// The bench upstream's head as the response reader hands it on: lower-cased names, flat.
const FIELDS = ['content-type', 'text/plain', 'content-length', '90', 'date', 'Tue, 08 Dec 2026 02:00:00 GMT', 'server', 'upstream']
const BODY = new Uint8Array(90).fill(120)
const OK: ResponseInit = { status: 200 }

function edit(answer: ProxyResponse): void {
  const headers = answer.headers
  headers.set('server', 'edgeway')
  headers.set('x-envoy-upstream-service-time', '1')
}

const contenders: Record<string, () => void> = {
  response: () => {
    const response = wholeBodyResponse(BODY, OK)
    for (let i = 0; i < FIELDS.length; i += 2) response.headers.append(FIELDS[i]!, FIELDS[i + 1]!)
    marksHopByHopFree(response)
    edit(response)
    writer.write(response, facts)
  },
  record: () => {
    const answer = new UpstreamAnswer(200, 'OK', new AnswerFields(FIELDS) as unknown as Headers, BODY, true)
    edit(answer)
    writer.write(answer, facts)
  },
  'response, made and edited only': () => {
    const response = wholeBodyResponse(BODY, OK)
    for (let i = 0; i < FIELDS.length; i += 2) response.headers.append(FIELDS[i]!, FIELDS[i + 1]!)
    marksHopByHopFree(response)
    edit(response)
  },
  'record, made and edited only': () => {
    edit(new UpstreamAnswer(200, 'OK', new AnswerFields(FIELDS) as unknown as Headers, BODY, true))
  },
}

const results: Record<string, number[]> = {}
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, run] of Object.entries(contenders)) {
    const start = process.cpuUsage()
    for (let i = 0; i < CALLS; i++) run()
    const used = process.cpuUsage(start)
    ;(results[name] ??= []).push(((used.user + used.system) * 1000) / CALLS)
  }
}
for (const [name, ns] of Object.entries(results)) {
  ns.sort((a, b) => a - b)
  console.log(`${name.padEnd(32)} ${ns[0]!.toFixed(0)} / ${ns[ns.length >> 1]!.toFixed(0)} / ${ns[ns.length - 1]!.toFixed(0)} ns`)
}
if (sink < 0) console.log(sink)
