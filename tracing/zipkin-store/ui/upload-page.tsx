/** @jsxImportSource hono/jsx */
// /zipkin/upload: open a trace JSON file (what "Download JSON" saves, or any Zipkin v2 span
// list) and view it without storing it, as Lens' trace viewer does. A plain form POST.

import type { FC } from 'hono/jsx'
import { Layout } from './layout.tsx'

export const UploadPage: FC<{ problem?: string }> = ({ problem }) => (
  <Layout title="Open a trace file" active="upload">
    <h1>Open a trace file</h1>
    {problem ? <div class="notice error">{problem}</div> : null}
    <form class="card" method="post" action="/zipkin/upload" enctype="multipart/form-data" id="upload">
      <div class="drop-zone">
        <p>A Zipkin v2 JSON list of spans (one trace), e.g. a file saved with “Download JSON”.</p>
        <input type="file" name="file" accept="application/json,.json" aria-label="trace file" />
      </div>
      <p class="muted">or paste it:</p>
      <textarea name="json" rows={8} style="width:100%" class="mono" placeholder='[{"traceId":"…","id":"…",…}]' />
      <p><button type="submit">View trace</button> <span class="muted">Nothing is stored.</span></p>
    </form>
  </Layout>
)
