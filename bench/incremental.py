#!/usr/bin/env python3
"""One-page incremental rebuild through `ludd serve`, timed to the browser's reload event.

    incremental.py LUDD SITE CONTENT PAGES_PER_LANG [--edits 10] [--run 1] [--timeout 120]

Starts `LUDD --root SITE serve --port 0`, reads the URL from its first stdout line, polls GET /
until 200 (the first build is done), connects to the server-sent events stream /__ludd/events
with http.client and then, EDITS times, appends a sentence to one page's Markdown file (a
different page each time, alternating languages) and measures from just before the write to the
arrival of the `change` event whose `pages` names that page's output. Each file is restored
afterwards (untimed; its rebuild event is awaited too), the server is stopped with SIGTERM.

Prints TSV lines `metric  run  value` on stdout: one `incr_ms` per edit, `incr_server_ms`
(the rebuild time the server reports in the event) per edit, `serve_first_build_ms` and, on
Linux, `incr_cpu_ms`: the CPU time (user + system, all threads, from /proc/PID/stat) the server
used per rebuild over all edits and restores, a figure that other load on the machine barely
moves. Standard library only.
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request

SECTIONS = 10  # gen_corpus.py default


def page_files(content: str, n: int, edits: int):
    """(markdown path, output path) for EDITS pages spread over the corpus, alternating de/en."""
    out = []
    for k in range(edits):
        i = (k * n) // edits + k  # 0-based page index, spread and distinct
        i = min(i, n - 1)
        sec = f"section-{i % SECTIONS + 1:02d}"
        page = f"page-{i + 1:05d}"
        if k % 2 == 0:
            out.append((os.path.join(content, sec, f"{page}.md"), f"{sec}/{page}/index.html"))
        else:
            out.append((os.path.join(content, sec, f"{page}.en.md"), f"en/{sec}/{page}/index.html"))
    return out


def cpu_seconds(pid: int):
    """User + system CPU time of process PID (all its threads) in seconds, or None off Linux."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    # After the command name: state is field 3, utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Events:
    """Server-sent events over one http.client connection: yields (event, data)."""

    def __init__(self, host: str, port: int):
        self.conn = http.client.HTTPConnection(host, port, timeout=600)
        self.conn.request("GET", "/__ludd/events", headers={"Accept": "text/event-stream"})
        self.resp = self.conn.getresponse()
        if self.resp.status != 200:
            raise SystemExit(f"events: HTTP {self.resp.status}")

    def next(self):
        event, data = None, []
        while True:
            line = self.resp.readline()
            if not line:
                raise SystemExit("events: stream closed")
            line = line.decode("utf-8").rstrip("\r\n")
            if line == "":
                if event or data:
                    return event or "message", "\n".join(data)
                continue
            if line.startswith("event:"):
                event = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].lstrip())

    def close(self):
        self.conn.close()


def wait_for_change(ev: Events, output: str, deadline: float):
    while True:
        if time.monotonic() > deadline:
            raise SystemExit(f"no change event for {output}")
        kind, data = ev.next()
        if kind == "error":
            raise SystemExit(f"rebuild failed: {data}")
        if kind != "change":
            continue
        payload = json.loads(data)
        if output in payload.get("pages", []) or output in payload.get("written", []):
            return payload


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("ludd")
    p.add_argument("site")
    p.add_argument("content")
    p.add_argument("pages", type=int)
    p.add_argument("--edits", type=int, default=10)
    p.add_argument("--run", type=int, default=1)
    p.add_argument("--timeout", type=float, default=300)
    a = p.parse_args()

    server = subprocess.Popen([a.ludd, "--root", a.site, "serve", "--port", "0"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout_lines = []
    try:
        first = server.stdout.readline()
        m = re.search(r"serving http://([0-9.]+):(\d+)/", first)
        if not m:
            err = server.stderr.read() if server.poll() is not None else ""
            raise SystemExit(f"unexpected first line from ludd serve: {first!r} {err}")
        host, port = m.group(1), int(m.group(2))
        # Keep draining the server's output so it never blocks on a full pipe.
        threading.Thread(target=lambda: stdout_lines.extend(server.stdout), daemon=True).start()
        threading.Thread(target=lambda: [None for _ in server.stderr], daemon=True).start()

        t_start = time.monotonic()
        deadline = t_start + a.timeout
        while True:
            try:
                with urllib.request.urlopen(f"http://{host}:{port}/", timeout=a.timeout) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("ludd serve did not come up")
            time.sleep(0.05)
        for line in list(stdout_lines):
            m = re.search(r"built \d+ files.* in (\d+) ms", line)
            if m:
                print(f"serve_first_build_ms\t{a.run}\t{m.group(1)}")
                break

        ev = Events(host, port)
        kind, _ = ev.next()  # `hello`: the stream is live
        time.sleep(0.5)
        cpu_before = cpu_seconds(server.pid)
        for k, (md, output) in enumerate(page_files(a.content, a.pages, a.edits)):
            with open(md, "rb") as f:
                original = f.read()
            sentence = f"\nAppended sentence number {k + 1} for the incremental benchmark.\n".encode()
            t0 = time.perf_counter()
            with open(md, "ab") as f:
                f.write(sentence)
            payload = wait_for_change(ev, output, time.monotonic() + a.timeout)
            t1 = time.perf_counter()
            print(f"incr_ms\t{a.run}\t{(t1 - t0) * 1000:.2f}")
            print(f"incr_server_ms\t{a.run}\t{payload.get('elapsed_ms', 'NA')}")
            sys.stdout.flush()
            time.sleep(0.3)
            with open(md, "wb") as f:  # restore the corpus (untimed)
                f.write(original)
            wait_for_change(ev, output, time.monotonic() + a.timeout)
            time.sleep(0.3)
        cpu_after = cpu_seconds(server.pid)
        if cpu_before is not None and cpu_after is not None and a.edits > 0:
            # Every edit and every restore is one rebuild.
            per = (cpu_after - cpu_before) * 1000 / (2 * a.edits)
            print(f"incr_cpu_ms\t{a.run}\t{per:.2f}")
        ev.close()
    finally:
        if server.poll() is None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
