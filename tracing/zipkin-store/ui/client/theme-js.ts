// /zipkin/static/theme.js: applies the theme chosen with the header toggle (kept in
// localStorage) before the page paints; without a choice prefers-color-scheme decides (CSS).

export const THEME_JS = `(function () {
  var root = document.documentElement
  try { var saved = localStorage.getItem('edgeway-theme'); if (saved === 'dark' || saved === 'light') root.dataset.theme = saved } catch (e) {}
  document.addEventListener('DOMContentLoaded', function () {
    var button = document.getElementById('theme-toggle')
    if (!button) return
    button.addEventListener('click', function () {
      var current = root.dataset.theme || (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light')
      var next = current === 'dark' ? 'light' : 'dark'
      root.dataset.theme = next
      try { localStorage.setItem('edgeway-theme', next) } catch (e) {}
    })
  })
})()
`
