#!/usr/bin/env bash
# Enforces the module boundaries of DESIGN.md §2; prints each violation and exits 1 if any.
cd "$(dirname "$0")/.." || exit 1
status=0
violation() { echo "boundary: $1"; echo "$2" | sed 's/^/    /'; status=1; }
hits=$(grep -rnE '\b(Bun|Deno)\.[A-Za-z]' src tracing --include='*.ts' --include='*.tsx' | grep -v '^src/adapter/' | grep -v '\.test\.ts:' | grep -vE '^[^:]+:[0-9]+:\s*(//|\*)')
[ -n "$hits" ] && violation "Bun./Deno. outside src/adapter/" "$hits"
hits=$(grep -rnE "from ['\"]zod" src tracing --include='*.ts' --include='*.tsx' | grep -v '^src/config/')
[ -n "$hits" ] && violation "zod imported outside src/config/" "$hits"
hits=$(grep -rnE "from ['\"]@opentelemetry/(sdk-|exporter-|propagator-|resources|core)" src --include='*.ts' --include='*.tsx')
[ -n "$hits" ] && violation "OpenTelemetry SDK/exporter/propagator imported in src/ (only tracing/ may)" "$hits"
hits=$(grep -rnE "from ['\"]hono|\bfetch\(" src/routing src/upstream --include='*.ts' | grep -v '\.test\.ts:')
[ -n "$hits" ] && violation "src/routing and src/upstream must not use Hono or fetch" "$hits"
hits=$(grep -rnE "from ['\"][./]*/admin/" src/stats src/upstream src/proxy src/routing src/listener --include='*.ts' | grep -v '\.test\.ts:')
[ -n "$hits" ] && violation "admin/ only renders: core code must not import it (stats live in src/stats/)" "$hits"
hits=$(grep -nE "from ['\"]\./lb/" src/upstream/load-balancer.ts)
[ -n "$hits" ] && violation "src/upstream/load-balancer.ts is the interface; policies and factory live in lb/ (no cycle)" "$hits"
hits=$(find src -name 'index.ts')
[ -n "$hits" ] && violation "no barrel files in src/" "$hits"
# A user's clone has nothing beside it: nothing may reach into the folder beside the checkout
# (the pattern is assembled so this file does not name that folder itself).
beside="shar""ed"
hits=$(grep -rnE "\.\./${beside}" src tracing test bench compose bin routes docs README.md package.json 2>/dev/null | grep -v '^test/check-boundaries.sh:')
[ -n "$hits" ] && violation "the project reads or links the folder beside the checkout (vendor what it needs)" "$hits"
[ $status -eq 0 ] && echo "boundaries: ok"
exit $status
