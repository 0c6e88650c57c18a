#!/usr/bin/env python3
"""Turns bench/run.sh's raw samples into results.tsv and summary.md.

    summarize.py OUT        reads OUT/raw/n*.tsv and OUT/raw/machine.tsv

Raw rows: tool, pages per language, medium, metric, run, value. Every (tool, size, medium,
metric) becomes one results.tsv row with the median, min and max over its samples (one sample
per run; for the incremental test one per edit, 10 edits per run). Standard library only.
"""
from __future__ import annotations

import csv
import glob
import os
import statistics
import sys
from collections import defaultdict

LANGS = 2  # de,en

# Targets from the performance issue, checked at 10k pages per language.
COLD_MAX_S, SPEEDUP_MIN, RSS_MAX_MB, NOOP_MAX_S, INCR_MAX_MS, SCALE_MAX = 2.5, 4.0, 500, 0.5, 30, 5.5


def load(out: str):
    samples = defaultdict(list)
    runs = {}
    for path in sorted(glob.glob(os.path.join(out, "raw", "n*.tsv"))):
        with open(path) as f:
            for row in csv.reader(f, delimiter="\t"):
                if len(row) != 6 or row[5] in ("", "NA"):
                    continue
                tool, n, medium, metric, run, value = row
                samples[(tool, int(n), medium, metric)].append(float(value))
                if tool == "ludd" and metric == "cold_wall_s":
                    runs[int(n)] = max(runs.get(int(n), 0), int(run))
    machine = {}
    mpath = os.path.join(out, "raw", "machine.tsv")
    if os.path.exists(mpath):
        with open(mpath) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("\t")
                machine[k] = v
    builds = {}
    for path in glob.glob(os.path.join(out, "raw", "n*.machine.tsv")):
        n = int(os.path.basename(path)[1:].split(".")[0])
        with open(path) as f:
            for line in f:
                k, _, v = line.rstrip("\n").partition("\t")
                if k in ("ludd", "hugo", "date"):
                    builds.setdefault(n, {})[k] = v
    return samples, runs, machine, builds


def fmt_s(v):
    return "–" if v is None else (f"{v:.2f} s" if v < 10 else f"{v:.1f} s")


def fmt_ms(v):
    return "–" if v is None else f"{v:.0f} ms"


def fmt_mb(v):
    return "–" if v is None else f"{v:,.0f} MB"


def fmt_x(v):
    return "–" if v is None else f"{v:.1f}×"


def main() -> int:
    out = sys.argv[1]
    samples, runs, machine, builds = load(out)
    med = {k: statistics.median(v) for k, v in samples.items()}

    def m(tool, n, medium, metric):
        return med.get((tool, n, medium, metric))

    def ratio(a, b):
        return None if a is None or b is None or b == 0 else a / b

    with open(os.path.join(out, "results.tsv"), "w") as f:
        f.write("tool\tpages_per_lang\tpages_total\tmedium\tmetric\tmedian\tmin\tmax\tsamples\n")
        order = {"corpus": 0, "floor": 1, "ludd": 2, "hugo": 3, "env": 4}
        for key in sorted(samples, key=lambda k: (k[1], order.get(k[0], 9), k[0], k[2], k[3])):
            tool, n, medium, metric = key
            v = samples[key]
            f.write(f"{tool}\t{n}\t{n * LANGS}\t{medium}\t{metric}\t{statistics.median(v):g}\t"
                    f"{min(v):g}\t{max(v):g}\t{len(v)}\n")

    sizes = sorted({k[1] for k in samples})
    L = []
    L.append("# ludd benchmark")
    L.append("")
    L.append("Synthetic corpus from `../shared/bench/gen_corpus.py --langs de,en --seed 1` (every page in "
             "German and English, ~5.2 KB of Markdown each, 10 sections, 40 tags). Wall-clock medians; "
             "cold = output folder deleted first, page cache warm. Written by `bench/run.sh`.")
    L.append("")
    L.append("| pages/lang | pages total | ludd cold tmpfs | ludd cold disk | ludd no-op tmpfs / disk "
             "| ludd 1-page incr. median (max) | ludd peak RSS | Hugo cold tmpfs | Hugo cold disk "
             "| Hugo peak RSS | Hugo/ludd tmpfs | Hugo/ludd disk | runs |")
    L.append("|" + "---:|" * 13)
    for n in sizes:
        lt, ld = m("ludd", n, "tmpfs", "cold_wall_s"), m("ludd", n, "disk", "cold_wall_s")
        if ("hugo", n, "tmpfs", "failed") in samples or ("hugo", n, "disk", "failed") in samples:
            L.append(f"<!-- Hugo failed at {n} pages/lang (see raw/n{n}.tsv) -->")
        ht, hd = m("hugo", n, "tmpfs", "cold_wall_s"), m("hugo", n, "disk", "cold_wall_s")
        lrss = max((x for x in (m("ludd", n, "tmpfs", "cold_rss_mb"), m("ludd", n, "disk", "cold_rss_mb"))
                    if x is not None), default=None)
        hrss = max((x for x in (m("hugo", n, "tmpfs", "cold_rss_mb"), m("hugo", n, "disk", "cold_rss_mb"))
                    if x is not None), default=None)
        incr = samples.get(("ludd", n, "serve", "incr_ms"))
        incr_s = f"{fmt_ms(statistics.median(incr))} ({fmt_ms(max(incr))})" if incr else "–"
        L.append(f"| {n:,} | {n * LANGS:,} | {fmt_s(lt)} | {fmt_s(ld)} | "
                 f"{fmt_s(m('ludd', n, 'tmpfs', 'noop_wall_s'))} / {fmt_s(m('ludd', n, 'disk', 'noop_wall_s'))} | "
                 f"{incr_s} | {fmt_mb(lrss)} | {fmt_s(ht)} | {fmt_s(hd)} | {fmt_mb(hrss)} | "
                 f"{fmt_x(ratio(ht, lt))} | {fmt_x(ratio(hd, ld))} | {runs.get(n, '–')} |")
    L.append("")

    L.append("### CPU time and output")
    L.append("")
    L.append("| pages/lang | tool | medium | wall | user | sys | peak RSS | files | output | other processes' CPU during the run |")
    L.append("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        for tool in ("ludd", "hugo"):
            for medium in ("tmpfs", "disk"):
                if m(tool, n, medium, "cold_wall_s") is None:
                    continue
                L.append(f"| {n:,} | {tool} | {medium} | {fmt_s(m(tool, n, medium, 'cold_wall_s'))} | "
                         f"{fmt_s(m(tool, n, medium, 'cold_user_s'))} | {fmt_s(m(tool, n, medium, 'cold_sys_s'))} | "
                         f"{fmt_mb(m(tool, n, medium, 'cold_rss_mb'))} | {m(tool, n, medium, 'output_files') or 0:,.0f} | "
                         f"{fmt_mb(m(tool, n, medium, 'output_mb'))} | {fmt_s(m(tool, n, medium, 'cold_other_cpu_s'))} |")
    L.append("")
    L.append("The last column is CPU time the machine spent on anything but the measured build while it "
             "ran (from /proc/stat): other processes, and also the kernel's write-back of the output "
             "to disk; for Hugo it includes bench.sh's own `rm`/`find`/`du` between runs. Near zero on tmpfs "
             "means the figures are clean.")
    L.append("")

    L.append("### No-op and incremental rebuilds (ludd)")
    L.append("")
    L.append("| pages/lang | no-op tmpfs | no-op disk | files written by no-op (tmpfs/disk) | serve first build "
             "| 1-page edit → `change` event: median | max | rebuild time reported in the event (median) "
             "| server CPU time per rebuild (median of runs) | edits |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        incr = samples.get(("ludd", n, "serve", "incr_ms"), [])
        wt, wd = m("ludd", n, "tmpfs", "noop_written"), m("ludd", n, "disk", "noop_written")
        written = "/".join("–" if w is None else f"{w:.0f}" for w in (wt, wd))
        L.append(f"| {n:,} | {fmt_s(m('ludd', n, 'tmpfs', 'noop_wall_s'))} | {fmt_s(m('ludd', n, 'disk', 'noop_wall_s'))} | "
                 f"{written} | {fmt_ms(m('ludd', n, 'serve', 'serve_first_build_ms'))} | "
                 f"{fmt_ms(statistics.median(incr)) if incr else '–'} | {fmt_ms(max(incr)) if incr else '–'} | "
                 f"{fmt_ms(m('ludd', n, 'serve', 'incr_server_ms'))} | "
                 f"{fmt_ms(m('ludd', n, 'serve', 'incr_cpu_ms'))} | {len(incr)} |")
    L.append("")

    L.append("### I/O floor")
    L.append("")
    L.append("Reading every Markdown file (`cat` to /dev/null, `xargs -P2`, page cache warm) and writing "
             "ludd's output tree once more (`cp -r` from tmpfs to a fresh folder): what a build would cost "
             "if rendering were free.")
    L.append("")
    L.append("| pages/lang | Markdown | read Markdown | cp -r → tmpfs | cp -r → disk | floor tmpfs (read + cp) "
             "| ludd cold tmpfs | ludd / floor (tmpfs) | floor disk | ludd cold disk | ludd / floor (disk) |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        rd = m("floor", n, "cache", "read_md_wall_s")
        ct, cd = m("floor", n, "tmpfs", "write_cp_wall_s"), m("floor", n, "disk", "write_cp_wall_s")
        ft = None if rd is None or ct is None else rd + ct
        fd = None if rd is None or cd is None else rd + cd
        lt, ld = m("ludd", n, "tmpfs", "cold_wall_s"), m("ludd", n, "disk", "cold_wall_s")
        L.append(f"| {n:,} | {fmt_mb(m('corpus', n, '-', 'content_mb'))} | {fmt_s(rd)} | {fmt_s(ct)} | {fmt_s(cd)} | "
                 f"{fmt_s(ft)} | {fmt_s(lt)} | {fmt_x(ratio(lt, ft))} | {fmt_s(fd)} | {fmt_s(ld)} | "
                 f"{fmt_x(ratio(ld, fd))} |")
    L.append("")
    L.append("Reading, rendering the Markdown (pulldown-cmark, ludd's options) and writing one file per "
             "Markdown file, with nothing else (`examples/floor.rs`: no templates, no model, no links): "
             "what a build costs at the least.")
    L.append("")
    L.append("| pages/lang | floor tmpfs | ludd cold tmpfs | ludd / floor | floor RSS | ludd RSS | floor disk | ludd cold disk | ludd / floor |")
    L.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        ft, fd = m("floor", n, "tmpfs", "md_floor_wall_s"), m("floor", n, "disk", "md_floor_wall_s")
        lt, ld = m("ludd", n, "tmpfs", "cold_wall_s"), m("ludd", n, "disk", "cold_wall_s")
        L.append(f"| {n:,} | {fmt_s(ft)} | {fmt_s(lt)} | {fmt_x(ratio(lt, ft))} | "
                 f"{fmt_mb(m('floor', n, 'tmpfs', 'md_floor_rss_mb'))} | {fmt_mb(m('ludd', n, 'tmpfs', 'cold_rss_mb'))} | "
                 f"{fmt_s(fd)} | {fmt_s(ld)} | {fmt_x(ratio(ld, fd))} |")
    L.append("")

    if 10000 in sizes:
        n = 10000
        L.append("### Targets at 10,000 pages per language")
        L.append("")
        L.append("| target | measured | met |")
        L.append("|---|---|---|")
        lt, ld = m("ludd", n, "tmpfs", "cold_wall_s"), m("ludd", n, "disk", "cold_wall_s")
        ht, hd = m("hugo", n, "tmpfs", "cold_wall_s"), m("hugo", n, "disk", "cold_wall_s")

        def ok(c):
            return "–" if c is None else ("yes" if c else "**no**")

        def le(v, lim):
            return None if v is None else v <= lim

        L.append(f"| cold build ≤ {COLD_MAX_S} s | tmpfs {fmt_s(lt)}, disk {fmt_s(ld)} | "
                 f"tmpfs {ok(le(lt, COLD_MAX_S))}, disk {ok(le(ld, COLD_MAX_S))} |")
        rt, rd_ = ratio(ht, lt), ratio(hd, ld)
        L.append(f"| ≥ {SPEEDUP_MIN:g}× faster than Hugo (same run) | tmpfs {fmt_x(rt)}, disk {fmt_x(rd_)} | "
                 f"tmpfs {ok(None if rt is None else rt >= SPEEDUP_MIN)}, disk {ok(None if rd_ is None else rd_ >= SPEEDUP_MIN)} |")
        rss = [x for x in (m("ludd", n, "tmpfs", "cold_rss_mb"), m("ludd", n, "disk", "cold_rss_mb"),
                           m("ludd", n, "tmpfs", "noop_rss_mb"), m("ludd", n, "disk", "noop_rss_mb")) if x is not None]
        L.append(f"| peak RSS ≤ {RSS_MAX_MB} MB | {fmt_mb(max(rss) if rss else None)} | "
                 f"{ok(le(max(rss) if rss else None, RSS_MAX_MB))} |")
        nt, nd = m("ludd", n, "tmpfs", "noop_wall_s"), m("ludd", n, "disk", "noop_wall_s")
        L.append(f"| no-op rebuild ≤ {NOOP_MAX_S} s (0 files written) | tmpfs {fmt_s(nt)}, disk {fmt_s(nd)}; "
                 f"written {m('ludd', n, 'tmpfs', 'noop_written') or 0:.0f}/{m('ludd', n, 'disk', 'noop_written') or 0:.0f} | "
                 f"tmpfs {ok(le(nt, NOOP_MAX_S))}, disk {ok(le(nd, NOOP_MAX_S))} |")
        incr = samples.get(("ludd", n, "serve", "incr_ms"), [])
        im = statistics.median(incr) if incr else None
        L.append(f"| one-page incremental ≤ {INCR_MAX_MS} ms to the reload event | median {fmt_ms(im)}, "
                 f"max {fmt_ms(max(incr) if incr else None)} | {ok(le(im, INCR_MAX_MS))} |")
        if 50000 in sizes:
            st, sd = ratio(m("ludd", 50000, "tmpfs", "cold_wall_s"), lt), ratio(m("ludd", 50000, "disk", "cold_wall_s"), ld)
            L.append(f"| 50k build ≤ {SCALE_MAX}× the 10k build | tmpfs {fmt_x(st)}, disk {fmt_x(sd)} | "
                     f"tmpfs {ok(le(st, SCALE_MAX))}, disk {ok(le(sd, SCALE_MAX))} |")
        L.append("")

    env = {(k[1], k[2], k[3]): v[0] for k, v in samples.items() if k[0] == "env"}
    if env:
        phases = ("floor", "ludd-tmpfs", "floor-write", "floor-markdown", "ludd-disk", "hugo-tmpfs", "hugo-disk", "serve")
        L.append("Before each phase: 1-minute load average / share of CPU busy during the 2 s just before "
                 "(the benchmark itself idle):")
        L.append("")
        for n in sizes:
            L.append(f"- {n:,}: " + ", ".join(
                f"{ph} {env[(n, ph, 'load1')]:.2f} / {env.get((n, ph, 'cpu_busy_pct'), float('nan')):.0f}%"
                for ph in phases if (n, ph, "load1") in env))
        L.append("")

    L.append("### Machine")
    L.append("")
    for k in ("date", "nproc", "cpu", "memory", "kernel", "disk", "tmpfs", "ludd", "hugo", "python"):
        if k in machine:
            L.append(f"- {k}: {machine[k]}")
    measured = {n: b for n, b in builds.items() if n in {k[1] for k in samples}}
    if len({(b.get("ludd"), b.get("hugo")) for b in measured.values()}) > 1:
        L.append("- **the sizes were measured with different builds:** " + "; ".join(
            f"{n:,}: {b.get('ludd')}, Hugo {b.get('hugo', '?').split(' (')[0]} ({b.get('date')})"
            for n, b in sorted(measured.items())))
    L.append("")
    with open(os.path.join(out, "summary.md"), "w") as f:
        f.write("\n".join(L))
    return 0


if __name__ == "__main__":
    sys.exit(main())
