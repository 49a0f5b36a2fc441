#!/usr/bin/env bash
# Requests/s and p99 latency of `meshguard serve` deciding an RS256 token (the FAQ's ingress
# policies, Istio's demo token) against the same upstream called directly, in one run.
# Not a test: numbers depend on the machine. Needs wrk (Debian: apt-get install -y wrk) and the
# jar (mvn -q -DskipTests package). Tunables: DURATION (15s), CONNECTIONS (32), THREADS (2),
# WARMUP (5s), MESHGUARD_JAVA_OPTS.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
jar="$here/meshguard-cli/target/meshguard-all.jar"
[ -f "$jar" ] || { echo "build first: (cd $here && mvn -q -DskipTests package)" >&2; exit 2; }
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk" >&2; exit 2; }
DURATION="${DURATION:-15s}"; CONNECTIONS="${CONNECTIONS:-32}"; THREADS="${THREADS:-2}"; WARMUP="${WARMUP:-5s}"

work="$(mktemp -d)"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

await_line() { # file pattern
  for _ in $(seq 1 300); do
    if grep -q "$2" "$1" 2>/dev/null; then grep -m1 "$2" "$1"; return 0; fi
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1
}
port_of() { grep -o '127\.0\.0\.1:[0-9]*' <<<"$1" | head -1 | cut -d: -f2; }

# The upstream: the demo's embedded Bookinfo-like server (Netty). The demo's own gateway idles.
java ${MESHGUARD_JAVA_OPTS:-} -jar "$jar" demo --listen 127.0.0.1:0 --access-log off >"$work/demo.out" 2>&1 &
pids+=($!)
upstream_port="$(port_of "$(await_line "$work/demo.out" 'upstream (Bookinfo-like) on')")"

unzip -p "$jar" demo/ingress-policies.yaml >"$work/policies.yaml"
token="$(unzip -p "$jar" demo/demo.jwt | tr -d '\n')"

java ${MESHGUARD_JAVA_OPTS:-} -jar "$jar" serve --config "$work/policies.yaml" \
  --namespace istio-system --labels app=istio-ingressgateway --allow-demo-keys \
  --upstream "http://127.0.0.1:$upstream_port" --listen 127.0.0.1:0 --access-log off \
  >"$work/serve.out" 2>"$work/serve.err" &
pids+=($!)
serve_port="$(port_of "$(await_line "$work/serve.out" 'listening on')")"

direct="http://127.0.0.1:$upstream_port/api/v1/products/0"
proxied="http://127.0.0.1:$serve_port/api/v1/products/0"
auth="Authorization: Bearer $token"

# sanity: the token is needed and accepted
code_without="$(curl -s -o /dev/null -w '%{http_code}' "$proxied")"
code_with="$(curl -s -o /dev/null -w '%{http_code}' -H "$auth" "$proxied")"
[ "$code_without" = 403 ] && [ "$code_with" = 200 ] || {
  echo "unexpected answers: without token $code_without (want 403), with $code_with (want 200)" >&2; exit 1; }

run() { # name url [header]
  local out
  if [ $# -eq 3 ]; then
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H "$3" "$2" >/dev/null
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -H "$3" "$2")"
  else
    wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$2" >/dev/null
    out="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$2")"
  fi
  local rps p99 errors
  rps="$(awk '/Requests\/sec/ {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  errors="$(grep -E 'Non-2xx|Socket errors' <<<"$out" | tr '\n' ' ' || true)"
  printf '%-28s %12s req/s   p99 %10s   %s\n' "$1" "$rps" "$p99" "$errors" >&2
  echo "$rps"
}

echo "wrk: $THREADS threads, $CONNECTIONS connections, $DURATION per run ($(nproc) cores here)" >&2
direct_rps="$(run "upstream directly" "$direct")"
serve_rps="$(run "through serve (RS256 token)" "$proxied" "$auth")"
awk -v s="$serve_rps" -v d="$direct_rps" \
  'BEGIN { printf "serve / direct requests/s: %.2f\n", (d > 0 ? s / d : 0) }'
