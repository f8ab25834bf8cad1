// /zipkin/static/trace.js: folding subtrees, find in trace, zoom from the minimap, and
// #span-<id> links that open a span. Reads only data- attributes and text the server rendered.

export const TRACE_JS = `(function () {
  var rows = Array.prototype.slice.call(document.querySelectorAll('#waterfall .span-row'))
  if (rows.length === 0) return
  var folded = rows.map(function () { return false })
  var forced = rows.map(function () { return false })
  var parent = rows.map(function (r) { return Number(r.dataset.parent) })

  function layout() {
    var hidden = []
    rows.forEach(function (row, i) {
      var p = parent[i]
      hidden[i] = p >= 0 && (hidden[p] || (folded[p] && !forced[i]))
      row.hidden = hidden[i]
      var toggle = row.querySelector('.toggle')
      toggle.textContent = folded[i] ? '+' : '−'
      toggle.setAttribute('aria-expanded', folded[i] ? 'false' : 'true')
      var count = row.querySelector('.hidden-count')
      count.hidden = !folded[i]
      count.textContent = folded[i] ? '(' + row.dataset.descendants + ' hidden)' : ''
    })
  }
  rows.forEach(function (row, i) {
    row.querySelector('.toggle').addEventListener('click', function (event) {
      event.preventDefault()
      event.stopPropagation()
      if (Number(row.dataset.descendants) === 0) return
      folded[i] = !folded[i]
      layout()
    })
  })
  function foldAll(value) {
    rows.forEach(function (row, i) { folded[i] = value && Number(row.dataset.descendants) > 0 })
    layout()
  }
  document.getElementById('expand-all').addEventListener('click', function () { foldAll(false) })
  document.getElementById('collapse-all').addEventListener('click', function () { foldAll(true) })

  function reveal(i) {
    for (var p = parent[i]; p >= 0; p = parent[p]) folded[p] = false
    layout()
    var row = rows[i]
    row.scrollIntoView({ block: 'center' })
    row.classList.remove('flash')
    void row.offsetWidth
    row.classList.add('flash')
  }

  var find = document.getElementById('find')
  var findCount = document.getElementById('find-count')
  var texts = rows.map(function (row) { return (row.dataset.spanId + ' ' + row.textContent).toLowerCase() })
  var matches = []
  var current = -1
  find.addEventListener('input', function () {
    var needle = find.value.trim().toLowerCase()
    matches = []
    current = -1
    rows.forEach(function (row, i) {
      var hit = needle !== '' && texts[i].indexOf(needle) !== -1
      row.classList.toggle('match', hit)
      if (hit) matches.push(i)
    })
    // Matches inside folded subtrees are shown anyway.
    rows.forEach(function (row, i) { forced[i] = false })
    matches.forEach(function (i) { for (var at = i; at >= 0; at = parent[at]) forced[at] = true })
    layout()
    findCount.textContent = needle === '' ? '' : matches.length + ' of ' + rows.length + ' spans'
  })
  find.addEventListener('keydown', function (event) {
    if (event.key !== 'Enter' || matches.length === 0) return
    event.preventDefault()
    current = (current + 1) % matches.length
    reveal(matches[current])
  })

  var waterfall = document.getElementById('waterfall')
  var total = Number(waterfall.dataset.durationUs)
  var bars = Array.prototype.slice.call(waterfall.querySelectorAll('.bar'))
  var original = bars.map(function (bar) { return [bar.style.cssText, bar.nextElementSibling ? bar.nextElementSibling.style.cssText : ''] })
  var ticks = Array.prototype.slice.call(document.querySelectorAll('#ticks span'))
  var note = document.getElementById('zoom-note')
  function label(us) {
    if (us < 1000) return Math.round(us) + 'µs'
    if (us < 1000000) return (us / 1000).toFixed(us < 10000 ? 2 : 1) + 'ms'
    return (us / 1000000).toFixed(2) + 's'
  }
  function zoom(from, to) {
    var lo = from * total
    var span = Math.max((to - from) * total, 1)
    bars.forEach(function (bar) {
      var off = Number(bar.dataset.offsetUs)
      var dur = Number(bar.dataset.durationUs)
      var outside = off + dur < lo || off > lo + span
      bar.style.display = outside ? 'none' : ''
      var left = Math.max(0, (off - lo) / span * 100)
      var right = Math.min(100, (off + dur - lo) / span * 100)
      bar.style.left = left.toFixed(3) + '%'
      bar.style.width = Math.max(right - left, 0.3).toFixed(3) + '%'
      var text = bar.nextElementSibling
      if (!text) return
      // As the server places it: right of the bar, or inside it when the bar reaches the end.
      if (right <= 85) text.style.cssText = 'left:' + right.toFixed(3) + '%'
      else text.style.cssText = 'right:' + (100 - right).toFixed(3) + '%;padding-right:6px;color:#fff'
    })
    if (from === 0 && to === 1) bars.forEach(function (bar, i) { bar.style.cssText = original[i][0]; if (bar.nextElementSibling) bar.nextElementSibling.style.cssText = original[i][1] })
    ticks.forEach(function (tick) { tick.textContent = label(lo + Number(tick.dataset.fraction) * span) })
    note.hidden = from === 0 && to === 1
    waterfall.dataset.zoom = from.toFixed(4) + '-' + to.toFixed(4)
  }
  var minimap = document.getElementById('minimap')
  var win = document.getElementById('mm-window')
  var dragFrom = null
  function fraction(event) {
    var box = minimap.getBoundingClientRect()
    return Math.min(1, Math.max(0, (event.clientX - box.left) / box.width))
  }
  minimap.addEventListener('mousedown', function (event) { dragFrom = fraction(event); win.hidden = true })
  window.addEventListener('mousemove', function (event) {
    if (dragFrom === null) return
    var at = fraction(event)
    win.hidden = false
    win.style.left = (Math.min(dragFrom, at) * 100) + '%'
    win.style.width = (Math.abs(at - dragFrom) * 100) + '%'
  })
  window.addEventListener('mouseup', function (event) {
    if (dragFrom === null) return
    var at = fraction(event)
    var from = Math.min(dragFrom, at)
    var to = Math.max(dragFrom, at)
    dragFrom = null
    if (to - from < 0.01) {
      win.hidden = true
      var bar = event.target.closest && event.target.closest('.mm-bar')
      if (bar) reveal(Number(bar.dataset.row))
      return
    }
    zoom(from, to)
  })
  minimap.addEventListener('dblclick', function () { win.hidden = true; zoom(0, 1) })
  document.getElementById('zoom-reset').addEventListener('click', function () { win.hidden = true; zoom(0, 1) })

  function openFromHash() {
    var wanted = /^#span-([0-9a-f]{16})$/.exec(location.hash)
    if (!wanted) return
    var i = rows.findIndex(function (row) { return row.dataset.spanId === wanted[1] })
    if (i >= 0) { rows[i].open = true; reveal(i) }
  }
  window.addEventListener('hashchange', openFromHash)
  layout()
  openFromHash()
})()
`
