#!/usr/bin/env bash
# Seconds from `make run` to the first answer of the portal, on a fresh clone (cold: creates the
# venv and installs from the lock; pip's own download cache may be warm) and again (warm).
# Usage: bench/make_run_timing.sh [clone-dir]
set -euo pipefail
src="$(cd "$(dirname "$0")/.." && pwd)"
dir="${1:-$(mktemp -d)/clone}"
port="${WEB_PORT:-8765}"
rm -rf "$dir"
git clone -q "$src" "$dir"
cd "$dir"

measure() {
  local label="$1" start end pid
  start=$(date +%s.%N)
  WEB_PORT="$port" setsid make run > "run-$label.log" 2>&1 &
  pid=$!
  until curl -fs -o /dev/null "http://127.0.0.1:$port/accounts/login/"; do
    sleep 0.2
    if ! kill -0 "$pid" 2>/dev/null; then echo "make run died; see $dir/run-$label.log"; exit 1; fi
  done
  end=$(date +%s.%N)
  printf '%s: portal answered after %.1f s\n' "$label" "$(echo "$end - $start" | bc)"
  kill -INT -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  sleep 1
}

measure cold
measure warm
grep -c "embedded PostgreSQL stopped" run-warm.log >/dev/null && echo "Ctrl-C stopped the embedded services; data kept in .local/"
