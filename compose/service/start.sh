#!/usr/bin/env bash
# Runs the sample service and its edgeway sidecar side by side in one container, as Envoy's
# start_service.sh does. When either exits the other is stopped and the container exits with that
# status, so the orchestrator restarts a replica instead of keeping half of it alive.
set -u
cd "$(dirname "$0")/../.." || exit 1
: "${SERVICE_NAME:?SERVICE_NAME must be set (1 or 2)}"

# The app's address follows the sidecar's settings, so one set of variables moves both halves.
HOST="${APP_ADDRESS:-127.0.0.1}" PORT="${APP_PORT:-8080}" \
  EGRESS_URL="${EGRESS_URL:-http://${EGRESS_ADDRESS:-127.0.0.1}:${EGRESS_PORT:-9000}}" \
  bun compose/service/main.ts &
app=$!
# One process, as the local mesh runs its sidecars: the app, not the sidecar, bounds a replica's
# throughput, and a single process dies with its replica at once.
bin/edgeway -c "${SIDECAR_CONFIG:-routes/sidecar.yaml}" --service-cluster "service${SERVICE_NAME}" --concurrency "${SIDECAR_CONCURRENCY:-1}" &
sidecar=$!

stop() { kill -TERM "$app" "$sidecar" 2>/dev/null; }
trap 'stop; wait; exit 0' TERM INT

wait -n "$app" "$sidecar"
status=$?
echo "start.sh: $( kill -0 "$app" 2>/dev/null && echo sidecar || echo app ) exited with status $status; stopping the replica" >&2
stop
wait
exit "$status"
