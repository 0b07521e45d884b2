#!/usr/bin/python3
"""Pictures of the benchmark figures for docs/performance.md, as SVG (matplotlib from Debian's python3-matplotlib).

    /usr/bin/python3 bench/charts.py [--guard FILE.jsonl] [--layers FILE.jsonl] [--read-units FILE]
                                     [--saturation FILE.jsonl] [--latency FILE.jsonl] [--memory FILE.jsonl]
                                     [--cold-starts FILE.jsonl] [--out docs/img]

--guard       bench/interleave.py's JSON (make bench-guard): CPU ms per request of each server beside the reference,
              per route, with each round's figure as a dot -> cpu-per-request.svg
--layers      bench/interleave.py's JSON of make bench-layers: CPU ms per request of the floor, the service and the
              service without each layer -> layers.svg
--read-units  bench/read_units.py's output (its READ_UNITS_JSON line): read units per GET /users against table size,
              per sharing setting, log scale -> read-units.svg
--saturation  bench/interleave.py's JSON of make bench-saturation (stub backend, c=32): CPU ms per request of the
              service with its list sharing on, off, with a snapshot, beside the peer -> saturation.svg
--latency     bench/latency_load.py's JSON (make bench): p50/p99 latency and goodput against the offered rate, per
              server -> latency.svg
--memory      bench/list_scale.py's JSON lines (make bench-list; every line of the file, one per server and size):
              peak RSS while listing against table size, per server -> memory.svg
--cold-starts bench/Users.LambdaBench's JSON lines (make lambda-bench; every line, one per variant): each cold start
              as a dot over a box of their quartiles, per variant -> cold-starts.svg
Each input is the last JSON line of its file unless said otherwise. The SVGs carry no timestamp (svg.hashsalt fixed), so re-rendering the
same figures changes nothing in git.
"""
import argparse, json, os

import matplotlib
matplotlib.use("Agg")
matplotlib.rcParams["svg.hashsalt"] = "users-api"
matplotlib.rcParams["svg.fonttype"] = "none"
import matplotlib.pyplot as plt  # noqa: E402

ROUTES = {"get": "GET /users", "post": "POST /user"}


def last_json(path, prefix=""):
    lines = [l[len(prefix):] for l in open(path) if l.strip() and l.startswith(prefix)]
    return json.loads(lines[-1])


def cpu_bars(result, title, path, horizontal=False):
    labels = list(result["servers"])
    routes = list(result["routes"])
    fig, axes = plt.subplots(1, len(routes), figsize=(5 + (3 if horizontal else 0), 0.45 * len(labels) + 1.8 if horizontal else 3.6), squeeze=False)
    for ax, route in zip(axes[0], routes):
        rows = result["routes"][route]
        medians = [rows[l]["cpu_ms_per_req_median"] for l in labels]
        pos = range(len(labels))
        if horizontal:
            ax.barh(pos, medians, color="#4c72b0")
            for i, l in enumerate(labels):
                ax.plot(rows[l]["cpu_ms_per_req"], [i] * len(rows[l]["cpu_ms_per_req"]), "k.", markersize=3)
                ax.text(max(rows[l]["cpu_ms_per_req"]), i, f"  x{rows[l]['ratio_median']:.{3 if rows[l]['ratio_median'] < 0.1 else 2}f}", va="center", fontsize=7)
            ax.set_yticks(list(pos)); ax.set_yticklabels(labels, fontsize=8); ax.invert_yaxis()
            ax.set_xlabel("CPU ms per request (median; dots: rounds)")
            ax.set_xlim(0, max(max(rows[l]["cpu_ms_per_req"]) for l in labels) * 1.25)
        else:
            ax.bar(pos, medians, color=["#4c72b0" if l != result["reference"] else "#999999" for l in labels])
            for i, l in enumerate(labels):
                ax.plot([i] * len(rows[l]["cpu_ms_per_req"]), rows[l]["cpu_ms_per_req"], "k.", markersize=4)
                ax.text(i, max(rows[l]["cpu_ms_per_req"]), f"x{rows[l]['ratio_median']:.{3 if rows[l]['ratio_median'] < 0.1 else 2}f}", ha="center", va="bottom", fontsize=8)
            ax.set_xticks(list(pos)); ax.set_xticklabels(labels, fontsize=8)
            ax.set_ylabel("CPU ms per request (median; dots: rounds)")
        ax.set_title(ROUTES[route], fontsize=10)
    fig.suptitle(f"{title}: {result['backend']} backend, {result['users']} users, c={result['concurrency']}, "
                 f"{result['rounds']} interleaved rounds", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)


def read_units(rows, path):
    sizes = sorted({r["users"] for r in rows})
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for setting in dict.fromkeys(r["setting"] for r in rows):
        pts = sorted((r["users"], r["units_per_get"]) for r in rows if r["setting"] == setting)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=setting)
    ax.set_xscale("log"); ax.set_yscale("log")
    ax.set_xticks(sizes); ax.set_xticklabels([f"{s:,}" for s in sizes])
    ax.set_xlabel("users in the table"); ax.set_ylabel("DynamoDB read units per GET /users")
    ax.set_title("Read units per list, 8 simultaneous lists per burst", fontsize=10)
    ax.legend(fontsize=8); ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)


COLORS = {"users-api": "#4c72b0", "users-api-jit": "#55a868", "peer": "#999999"}


def latency(result, path):
    fig, (lat, good) = plt.subplots(1, 2, figsize=(10, 3.8))
    for label, rows in result["servers"].items():
        color = COLORS.get(label)
        rates = [r["rate"] for r in rows]
        lat.plot(rates, [r["p99_ms"] for r in rows], "o-", color=color, label=f"{label} p99")
        lat.plot(rates, [r["p50_ms"] for r in rows], "s--", color=color, alpha=0.6, markersize=4, label=f"{label} p50")
        good.plot(rates, [r["goodput"] for r in rows], "o-", color=color, label=label)
    good.plot(result["rates"], result["rates"], ":", color="black", linewidth=0.8, label="offered")
    lat.axhline(result["slo_ms"], color="red", linewidth=0.8, linestyle=":")
    lat.text(min(result["rates"]), result["slo_ms"], f" goodput bound {result['slo_ms']:g} ms", color="red", fontsize=7,
             va="bottom")
    lat.set_xscale("log"); lat.set_yscale("log")
    lat.set_xlabel("offered GET /users per second"); lat.set_ylabel("latency ms (from the scheduled send)")
    lat.set_title("Latency against offered load", fontsize=10)
    good.set_xscale("log")
    good.set_xlabel("offered GET /users per second")
    good.set_ylabel(f"goodput: 2xx within {result['slo_ms']:g} ms, per s")
    good.set_title("Goodput against offered load", fontsize=10)
    for ax in (lat, good):
        ax.set_xticks(result["rates"]); ax.set_xticklabels([str(r) for r in result["rates"]], fontsize=8)
        ax.minorticks_off(); ax.grid(True, alpha=0.3); ax.legend(fontsize=7)
    fig.suptitle(f"Open model, {result['seconds']:g} s per rate, stub backend, {result['users']} users; "
                 f"load average {result['loadavg_before']:.1f} -> {result['loadavg_after']:.1f} on {result['cores']} cores",
                 fontsize=9)
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)


def memory(rows, path):
    fig, ax = plt.subplots(figsize=(6, 3.6))
    for label in dict.fromkeys(r["label"] for r in rows):
        pts = sorted((r["users"], r["peak_rss_mb"], r["rss_before_mb"]) for r in rows if r["label"] == label)
        color = COLORS.get(label)
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", color=color, label=f"{label}: peak while listing")
        ax.plot([p[0] for p in pts], [p[2] for p in pts], "x:", color=color, alpha=0.6, label=f"{label}: before")
    sizes = sorted({r["users"] for r in rows})
    ax.set_xscale("log"); ax.set_xticks(sizes); ax.set_xticklabels([f"{s:,}" for s in sizes]); ax.minorticks_off()
    ax.set_ylim(bottom=0)
    ax.set_xlabel("users in the table (GET /users lists them all)"); ax.set_ylabel("RSS MB (process tree)")
    ax.set_title("Memory against table size", fontsize=10)
    ax.legend(fontsize=7); ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)


def cold_starts(rows, path):
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    labels = [r["label"] for r in rows]
    data = [r["cold_ms"] for r in rows]
    ax.boxplot(data, vert=False, widths=0.5, showfliers=False)
    for i, values in enumerate(data, start=1):
        ax.plot(values, [i] * len(values), "o", color="#4c72b0", alpha=0.6, markersize=4)
        ax.text(max(values), i, f"  median {sorted(values)[len(values) // 2]:.0f} ms, n={len(values)}", va="center", fontsize=7)
    ax.set_yticks(range(1, len(labels) + 1)); ax.set_yticklabels(labels, fontsize=8); ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlim(min(min(v) for v in data) / 1.5, max(max(v) for v in data) * 4)
    ax.set_xlabel("cold start ms (log scale)")
    ax.set_title("Lambda cold starts: process start -> first GET /users answered\nthrough the Lambda emulator; a dot per fresh process",
                 fontsize=9)
    ax.grid(True, axis="x", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, metadata={"Date": None})
    plt.close(fig)


def all_json(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--guard"); ap.add_argument("--layers"); ap.add_argument("--read-units")
    ap.add_argument("--saturation"); ap.add_argument("--latency"); ap.add_argument("--memory"); ap.add_argument("--cold-starts")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "img"))
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    written = []
    if args.guard:
        written.append(os.path.join(args.out, "cpu-per-request.svg"))
        cpu_bars(last_json(args.guard), "Native AOT beside the Flask peer", written[-1])
    if args.layers:
        written.append(os.path.join(args.out, "layers.svg"))
        cpu_bars(last_json(args.layers), "The floor, the service, the service without each layer", written[-1], horizontal=True)
    if args.read_units:
        written.append(os.path.join(args.out, "read-units.svg"))
        read_units(last_json(args.read_units, "READ_UNITS_JSON "), written[-1])
    if args.saturation:
        written.append(os.path.join(args.out, "saturation.svg"))
        cpu_bars(last_json(args.saturation), "At saturation: list sharing on, off, with a snapshot, beside the peer", written[-1],
                 horizontal=True)
    if args.latency:
        written.append(os.path.join(args.out, "latency.svg"))
        latency(last_json(args.latency), written[-1])
    if args.memory:
        written.append(os.path.join(args.out, "memory.svg"))
        memory(all_json(args.memory), written[-1])
    if args.cold_starts:
        written.append(os.path.join(args.out, "cold-starts.svg"))
        cold_starts(all_json(args.cold_starts), written[-1])
    for w in written:
        print("wrote", os.path.relpath(w))


if __name__ == "__main__":
    main()
