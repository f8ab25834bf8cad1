// The favicon (also the header logo): a waterfall of three bars, as SVG.

export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">
<rect width="32" height="32" rx="7" fill="#111827"/>
<rect x="5" y="7" width="22" height="4" rx="2" fill="#3b82f6"/>
<rect x="9" y="14" width="14" height="4" rx="2" fill="#10b981"/>
<rect x="13" y="21" width="9" height="4" rx="2" fill="#f59e0b"/>
</svg>
`
