#!/usr/bin/env python3
"""Markdown tables from bench/bench.sh's JSON lines.

    python3 bench/report.py shared FILE.jsonl      (../shared/bench/run.py results)
    python3 bench/report.py saturation FILE.jsonl  (bench/saturation.py results)

One row per server and sitting, then per server the range over the sittings and the ratio to the peer
(the project's CPU per request divided by the peer's, from the medians).
"""
import json, statistics, sys


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def spread(values, fmt):
    lo, hi = min(values), max(values)
    return fmt.format(lo) if lo == hi else f"{fmt.format(lo)}–{fmt.format(hi)}"


def by_label(rows):
    out = {}
    for r in rows:
        out.setdefault(r["label"], []).append(r)
    return out


def shared(rows):
    print("| server | sitting | GET /users CPU/req | POST /user CPU/req | peak RSS | ready | GET req/s | POST req/s | non-2xx |")
    print("|---|---|---|---|---|---|---|---|---|")
    seen = {}
    for r in rows:
        n = seen[r["label"]] = seen.get(r["label"], 0) + 1
        g, p = r["get_users"], r["post_user"]
        print(f"| {r['label']} | {n} | {g['api_cpu_ms_per_req']:.2f} ms | {p['api_cpu_ms_per_req']:.2f} ms | "
              f"{r['peak_rss_mb']:.0f} MB ({r['server_procs']} proc) | {r['startup_s']:.2f} s | {g['rps']:.0f} | "
              f"{p['rps']:.0f} | {g['non2xx'] + p['non2xx']} |")
    groups = by_label(rows)
    peer = groups.get("peer")
    med = lambda rs, k: statistics.median(r[k]["api_cpu_ms_per_req"] for r in rs)  # noqa: E731
    print()
    print("| server | GET /users CPU/req | POST /user CPU/req | peak RSS | ready | GET vs peer | POST vs peer |")
    print("|---|---|---|---|---|---|---|")
    for label, rs in groups.items():
        ratio = lambda k: f"{med(rs, k) / med(peer, k):.2f}×" if peer else "–"  # noqa: E731
        print(f"| {label} | {spread([r['get_users']['api_cpu_ms_per_req'] for r in rs], '{:.2f}')} ms | "
              f"{spread([r['post_user']['api_cpu_ms_per_req'] for r in rs], '{:.2f}')} ms | "
              f"{spread([r['peak_rss_mb'] for r in rs], '{:.0f}')} MB | {spread([r['startup_s'] for r in rs], '{:.2f}')} s | "
              f"{ratio('get_users')} | {ratio('post_user')} |")


def saturation(rows):
    print("| server | sitting | route | req/s | server cores | CPU ms/req | req/s per core | p99 ms | non-2xx | stub cores | busy % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    seen = {}
    for r in rows:
        n = seen[r["label"]] = seen.get(r["label"], 0) + 1
        for route, k in (("GET /users", "get_users"), ("POST /user", "post_user")):
            p = r[k]
            print(f"| {r['label']} | {n} | {route} | {p['rps']:.0f} | {p['server_cores']:.2f} | "
                  f"{p['server_cpu_ms_per_req']:.3f} | {p['req_per_cpu_second']:.0f} | {p['p99_ms']:.1f} | "
                  f"{p['non2xx']} | {p['stub_cores']:.2f} | {p['machine_busy_pct']:.0f} |")
    groups = by_label(rows)
    peer = groups.get("peer")
    med = lambda rs, k: statistics.median(r[k]["server_cpu_ms_per_req"] for r in rs)  # noqa: E731
    print()
    print("| server | GET CPU ms/req | GET req/s per core | POST CPU ms/req | POST req/s per core | GET vs peer | POST vs peer |")
    print("|---|---|---|---|---|---|---|")
    for label, rs in groups.items():
        ratio = lambda k: f"{med(rs, k) / med(peer, k):.2f}×" if peer else "–"  # noqa: E731
        cells = []
        for k in ("get_users", "post_user"):
            cells.append(spread([r[k]["server_cpu_ms_per_req"] for r in rs], "{:.2f}"))
            cells.append(spread([r[k]["req_per_cpu_second"] for r in rs], "{:.0f}"))
        print(f"| {label} | {' | '.join(cells)} | {ratio('get_users')} | {ratio('post_user')} |")


if __name__ == "__main__":
    {"shared": shared, "saturation": saturation}[sys.argv[1]](load(sys.argv[2]))
