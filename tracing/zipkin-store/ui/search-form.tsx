/** @jsxImportSource hono/jsx */
// The search form: every criterion GET /api/v2/traces takes, plus the time range and the sort.
// A GET form, so the URL is the search and can be shared; search.js refreshes the span and
// remote service lists when the service changes.

import type { FC } from 'hono/jsx'
import { LOOKBACKS, SORTS, type SearchForm as Form } from './search-params.ts'

export type SearchChoices = { services: string[]; spanNames: string[]; remoteServices: string[]; tagHints: string[] }

const Select: FC<{ name: string; value: string; options: string[]; all: string; id?: string }> = ({ name, value, options, all, id }) => (
  <select name={name} id={id}>
    <option value="">{all}</option>
    {[...new Set(value ? [value, ...options] : options)].map((option) => (
      <option value={option} selected={option === value}>{option}</option>
    ))}
  </select>
)

export const SearchForm: FC<{ form: Form; choices: SearchChoices }> = ({ form, choices }) => (
  <form class="card filters" method="get" action="/zipkin/" id="search">
    <label>Service<Select name="serviceName" value={form.serviceName} options={choices.services} all="all services" id="f-service" /></label>
    <label>Span name<Select name="spanName" value={form.spanName} options={choices.spanNames} all="any span" id="f-span" /></label>
    <label>Remote service<Select name="remoteServiceName" value={form.remoteServiceName} options={choices.remoteServices} all="any remote" id="f-remote" /></label>
    <label class="wide">
      Tags and annotations
      <input name="annotationQuery" value={form.annotationQuery} placeholder="http.status_code=503 and error" list="tag-hints" autocomplete="off" />
      <datalist id="tag-hints">{choices.tagHints.map((hint) => <option value={hint} />)}</datalist>
    </label>
    <label>Min duration<input name="minDuration" value={form.minDuration} placeholder="ms, or 1.5s, 800us" size={10} /></label>
    <label>Max duration<input name="maxDuration" value={form.maxDuration} placeholder="ms" size={10} /></label>
    <label>
      Time range
      <select name="lookback" id="f-lookback">
        {LOOKBACKS.map(([key, label]) => <option value={key} selected={form.lookback === key}>{label}</option>)}
        <option value="custom" selected={form.lookback === 'custom'}>custom (UTC)…</option>
      </select>
    </label>
    <span class="custom-range filters" id="f-custom" hidden={form.lookback !== 'custom'}>
      <label>From (UTC)<input type="datetime-local" name="start" value={form.start} /></label>
      <label>To (UTC)<input type="datetime-local" name="end" value={form.end} /></label>
    </span>
    <label>Limit<input name="limit" type="number" min="1" max="1000" value={form.limit} /></label>
    <label>
      Sort
      <select name="sort">{SORTS.map((sort) => <option value={sort} selected={form.sort === sort}>{sort}</option>)}</select>
    </label>
    <button type="submit">Find traces</button>
    <a class="button secondary" href="/zipkin/">Reset</a>
  </form>
)
