/** @jsxImportSource hono/jsx */
// /zipkin/live (beyond Lens): traces as they arrive. live.js polls the search API every two
// seconds and puts new traces on top; a service filter and pause are in the URL and the page.

import type { FC } from 'hono/jsx'
import { Layout } from './layout.tsx'

export const LivePage: FC<{ services: string[]; serviceName: string }> = ({ services, serviceName }) => (
  <Layout title="Live" active="live" scripts={['live']}>
    <h1>Live tail</h1>
    <form class="card filters" method="get" action="/zipkin/live" id="live-form">
      <label>
        Service
        <select name="serviceName" id="live-service">
          <option value="">all services</option>
          {services.map((name) => <option value={name} selected={name === serviceName}>{name}</option>)}
        </select>
      </label>
      <button type="submit">Follow</button>
      <button type="button" class="secondary" id="live-pause">Pause</button>
      <span class="live-status" id="live-status">waiting for traces…</span>
    </form>
    <table class="list" id="live">
      <thead><tr><th>Arrived</th><th>Root</th><th>Duration</th><th>Spans</th><th>Errors</th></tr></thead>
      <tbody id="live-rows" />
    </table>
  </Layout>
)
