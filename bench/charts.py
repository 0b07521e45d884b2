#!/usr/bin/python3
"""Pictures of the benchmark figures for docs/performance.md, as SVG (matplotlib from Debian's python3-matplotlib).

    /usr/bin/python3 bench/charts.py [--guard FILE.jsonl] [--layers FILE.jsonl] [--read-units FILE] [--out docs/img]

--guard       bench/interleave.py's JSON (make bench-guard): CPU ms per request of each server beside the reference,
              per route, with each round's figure as a dot -> cpu-per-request.svg
--layers      bench/interleave.py's JSON of make bench-layers: CPU ms per request of the floor, the service and the
              service without each layer -> layers.svg
--read-units  bench/read_units.py's output (its READ_UNITS_JSON line): read units per GET /users against table size,
              per sharing setting, log scale -> read-units.svg
Each input is the last JSON line of its file. The SVGs carry no timestamp (svg.hashsalt fixed), so re-rendering the
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
                ax.text(max(rows[l]["cpu_ms_per_req"]), i, f"  x{rows[l]['ratio_median']:.2f}", va="center", fontsize=7)
            ax.set_yticks(list(pos)); ax.set_yticklabels(labels, fontsize=8); ax.invert_yaxis()
            ax.set_xlabel("CPU ms per request (median; dots: rounds)")
            ax.set_xlim(0, max(max(rows[l]["cpu_ms_per_req"]) for l in labels) * 1.25)
        else:
            ax.bar(pos, medians, color=["#4c72b0" if l != result["reference"] else "#999999" for l in labels])
            for i, l in enumerate(labels):
                ax.plot([i] * len(rows[l]["cpu_ms_per_req"]), rows[l]["cpu_ms_per_req"], "k.", markersize=4)
                ax.text(i, max(rows[l]["cpu_ms_per_req"]), f"x{rows[l]['ratio_median']:.2f}", ha="center", va="bottom", fontsize=8)
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--guard"); ap.add_argument("--layers"); ap.add_argument("--read-units")
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
    for w in written:
        print("wrote", os.path.relpath(w))


if __name__ == "__main__":
    main()
