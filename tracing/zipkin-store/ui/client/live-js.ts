// /zipkin/static/live.js: polls GET /api/v2/traces for the last minute and prepends traces not
// seen before (at most 200 rows). Builds rows with textContent only: span data is never HTML.

export const LIVE_JS = `(function () {
  var rows = document.getElementById('live-rows')
  var status = document.getElementById('live-status')
  var pause = document.getElementById('live-pause')
  var service = document.getElementById('live-service').value
  var seen = new Set()
  var paused = false
  var first = true
  pause.addEventListener('click', function () {
    paused = !paused
    pause.textContent = paused ? 'Resume' : 'Pause'
    status.textContent = paused ? 'paused' : 'following'
  })
  function cell(row, text, className) {
    var td = document.createElement('td')
    if (className) td.className = className
    td.textContent = text
    row.appendChild(td)
    return td
  }
  function duration(us) {
    if (us < 1000) return us + 'µs'
    if (us < 1000000) return (us / 1000).toFixed(us < 10000 ? 2 : 1) + 'ms'
    return (us / 1000000).toFixed(2) + 's'
  }
  function add(trace, fresh) {
    var id = trace[0].traceId
    if (seen.has(id)) return
    seen.add(id)
    var root = trace.find(function (s) { return !s.parentId }) || trace[0]
    var start = Infinity, end = -Infinity, errors = 0
    trace.forEach(function (s) {
      if (s.timestamp !== undefined) { start = Math.min(start, s.timestamp); end = Math.max(end, s.timestamp + (s.duration || 0)) }
      if (s.tags && s.tags.error !== undefined) errors++
    })
    var row = document.createElement('tr')
    row.className = 'live-row' + (fresh ? ' fresh' : '')
    row.dataset.traceId = id
    cell(row, new Date().toISOString().slice(11, 19), 'mono')
    var rootCell = cell(row, '')
    var link = document.createElement('a')
    link.href = '/zipkin/traces/' + encodeURIComponent(id)
    link.textContent = ((root.localEndpoint && root.localEndpoint.serviceName) || 'unknown') + ': ' + (root.name || 'unknown')
    rootCell.appendChild(link)
    cell(row, isFinite(start) ? duration(Math.max(1, end - start)) : '—')
    cell(row, String(trace.length), 'span-count')
    cell(row, errors ? errors + ' error' + (errors > 1 ? 's' : '') : 'none', errors ? 'errors err-mark' : 'errors ok')
    rows.insertBefore(row, rows.firstChild)
    while (rows.children.length > 200) rows.removeChild(rows.lastChild)
  }
  function poll() {
    if (paused) return
    var query = 'limit=50&lookback=60000&endTs=' + Date.now() + (service ? '&serviceName=' + encodeURIComponent(service) : '')
    fetch('/api/v2/traces?' + query)
      .then(function (r) { return r.ok ? r.json() : [] })
      .then(function (traces) {
        traces.slice().reverse().forEach(function (trace) { if (trace.length) add(trace, !first) })
        first = false
        status.textContent = 'following · ' + seen.size + ' traces · updated ' + new Date().toISOString().slice(11, 19) + ' UTC'
      })
      .catch(function () { status.textContent = 'store unreachable, retrying' })
  }
  poll()
  setInterval(poll, 2000)
})()
`
