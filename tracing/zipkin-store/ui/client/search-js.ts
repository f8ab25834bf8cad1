// /zipkin/static/search.js: when the service changes, reloads its span names and remote
// services from the API into the form; shows the custom range only when chosen.

export const SEARCH_JS = `(function () {
  var service = document.getElementById('f-service')
  var lookback = document.getElementById('f-lookback')
  var custom = document.getElementById('f-custom')
  function fill(select, names, all) {
    var keep = select.value
    select.textContent = ''
    var first = document.createElement('option')
    first.value = ''
    first.textContent = all
    select.appendChild(first)
    names.forEach(function (name) {
      var option = document.createElement('option')
      option.value = name
      option.textContent = name
      if (name === keep) option.selected = true
      select.appendChild(option)
    })
  }
  function load(path, select, all) {
    if (!service.value) return fill(select, [], all)
    fetch('/api/v2/' + path + '?serviceName=' + encodeURIComponent(service.value))
      .then(function (r) { return r.ok ? r.json() : [] })
      .then(function (names) { fill(select, names, all) })
      .catch(function () {})
  }
  if (service) service.addEventListener('change', function () {
    load('spans', document.getElementById('f-span'), 'any span')
    load('remoteServices', document.getElementById('f-remote'), 'any remote')
  })
  if (lookback && custom) lookback.addEventListener('change', function () { custom.hidden = lookback.value !== 'custom' })
})()
`
