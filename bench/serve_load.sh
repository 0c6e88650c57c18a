#!/usr/bin/env bash
# The preview server under load: requests per second (wrk, 8 s per concurrency, 2 threads) and
# the server's RSS sampled every 100 ms during the run and after it, plus its CPU time.
#
#   bench/serve_load.sh <ludd binary> <site root> [path, default /]
#
# Needs wrk (Debian: apt-get install wrk). Each run sends far more than 20,000 requests.
set -u
bin=$1; site=$2; path=${3:-/}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
TMPDIR=$work "$bin" serve --root "$site" --port 0 > "$work/serve.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do grep -q "^built \|build failed" "$work/serve.log" && break; sleep 0.5; done
url=$(sed -n 's/^serving \(http[^ ]*\).*/\1/p' "$work/serve.log" | head -1)
rss() { awk '/VmRSS/{print $2}' "/proc/$pid/status"; }
cpu_ms() { awk '{print ($14 + $15) * 10}' "/proc/$pid/stat"; }
echo "server at $url; RSS after the first build: $(rss) kB"
for c in 50 200; do
  ( max=0; while [ ! -f "$work/stop" ]; do r=$(rss); [ "$r" -gt "$max" ] && max=$r; echo "$max" > "$work/max"; sleep 0.1; done ) &
  monitor=$!
  read -r load _ < /proc/loadavg
  before=$(cpu_ms)
  wrk -t2 -c"$c" -d8s --latency "${url%/}$path" > "$work/wrk.txt" 2>&1
  after=$(cpu_ms)
  touch "$work/stop"; wait "$monitor"; rm -f "$work/stop"
  echo "c=$c (load $load): $(grep -E 'requests in|Requests/sec|Non-2xx|Socket errors' "$work/wrk.txt" | tr -s ' \n' ' ')"
  echo "  latency $(grep -A4 'Latency Distribution' "$work/wrk.txt" | tail -4 | tr -s ' \n' ' ')"
  echo "  RSS max during $(cat "$work/max") kB, after $(rss) kB; server CPU $((after - before)) ms"
done
kill -TERM "$pid"; wait "$pid" 2>/dev/null
