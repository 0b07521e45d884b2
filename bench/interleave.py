#!/usr/bin/env python3
"""Several servers measured in one sitting, in interleaved short runs, so that a shared machine's drift cancels.

    python3 bench/interleave.py --server 'LABEL=SHELL CMD using $PORT' --server ... [--reference LABEL]
                                [--backend stub|moto] [--users 100] [--routes get,post] [--rounds 5]
                                [--seconds 3] [--concurrency 8] [--warmup-seconds 2] [--json-out FILE]
                                [--check LABEL --max-ratio get=0.85 --max-ratio post=0.90 --junit FILE]

Every server is started once against one backend (bench/stub_backend.py: canned DynamoDB/S3 answers that cost
almost nothing, or moto_server seeded with --users users as ../shared/bench/run.py seeds it) and kept running.
Then, per route (all GET /users rounds before any POST /user, so a moto table does not grow under the GETs): a
warm-up of each server, then --rounds rounds; in each round every server is driven in turn by wrk (../shared/bench's
scripts) for --seconds, the order reversed every other round. The figure of a run is the server's CPU (utime+stime
of its process tree, from /proc, read over the run with its first and last 10 % trimmed) divided by the requests
wrk completed in that window: CPU milliseconds per request. Each server's runs in one round lie within a few
seconds of each other, so whatever the machine does to one (another build starting, frequency, cache pressure) it
mostly does to its neighbours; the ratio of a server to the reference is taken round by round and its median
reported. Prints a table per route and one JSON line ("INTERLEAVE_JSON ...").
With --check, the median ratio of that server on each route named in --max-ratio must not exceed the bound, and
neither it nor the reference may answer anything but 2xx (a refused request measures the refusal); the verdicts are
printed, written as JUnit XML to --junit, and the exit status is 1 when one fails (the perf guard of make test).
POST /user sends a complete PNG (bench/valid_png.py), not benchlib's malformed one, which the service refuses (415).
Loopback only; every run is bounded by --seconds; every process started here is stopped at exit.
"""
import argparse, http.client, json, os, statistics, sys, threading, time, uuid

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("BENCH_SHARED", os.path.join(HERE, "..", "..", "shared", "bench"))
sys.path.insert(0, os.path.abspath(SHARED))
sys.path.insert(0, HERE)
import run as shared  # noqa: E402  (../shared/bench/run.py: /proc helpers, wrk scripts, seeding)
from valid_png import patch  # noqa: E402
from benchlib import Moto, spawn, free_port, api_env, WORK  # noqa: E402
from saturation import Endpoint, Stub, emit_json, wait_live  # noqa: E402
from xml.sax.saxutils import quoteattr  # noqa: E402

patch(shared)

TABLE, BUCKET = "users", "users-avatars"
ROUTES = {"get": "GET /users", "post": "POST /user"}


class PeakRss(threading.Thread):
    """Peak RSS of each server's process tree (every 100 ms; the tree re-read every second)."""

    def __init__(self, roots):
        super().__init__(daemon=True)
        self.roots, self.peak, self.stop = roots, {r: 0 for r in roots}, threading.Event()

    def run(self):
        trees, n = {r: [r] for r in self.roots}, 0
        while not self.stop.is_set():
            for r in self.roots:
                if n % 10 == 0:
                    trees[r] = shared.tree(r)
                self.peak[r] = max(self.peak[r], shared.rss_pss(trees[r])[0])
            n += 1
            self.stop.wait(0.1)


def drive(base, script, seconds, conc, threads, pid):
    """One wrk run; the server's CPU ms per request over the run's middle 80 %, and wrk's figures."""
    p, path = shared.start_wrk(base, script, seconds, conc, threads)
    t0 = time.time()
    d = seconds * 0.1
    time.sleep(max(0.0, t0 + d - time.time()))
    c0, w0 = shared.cpu_ms(pid), time.time()
    time.sleep(max(0.0, t0 + seconds - d - time.time()))
    c1, w1 = shared.cpu_ms(pid), time.time()
    w = shared.finish_wrk(p, path)
    rps = w["requests"] / (w["duration_us"] / 1e6)
    return {
        "cpu_ms_per_req": round((c1 - c0) / max(rps * (w1 - w0), 1e-9), 4),
        "cores": round((c1 - c0) / ((w1 - w0) * 1000), 2),
        "rps": round(rps, 1), "requests": w["requests"], "p50_ms": w["p50_us"] / 1000, "p99_ms": w["p99_us"] / 1000,
        "non2xx": w["non2xx"], "codes": w["codes"],
        "socket_errors": {k[4:]: w[k] for k in ("err_connect", "err_read", "err_write", "err_timeout") if w[k]},
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", action="append", required=True, help="LABEL=shell command ($PORT in its environment)")
    ap.add_argument("--reference", help="the label ratios are taken against (default: the last server)")
    ap.add_argument("--backend", choices=("stub", "moto"), default="stub")
    ap.add_argument("--users", type=int, default=100)
    ap.add_argument("--routes", default="get,post")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--warmup-seconds", type=int, default=2)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--startup-timeout", type=float, default=60)
    ap.add_argument("--json-out")
    ap.add_argument("--check", help="the label whose median ratios --max-ratio bounds")
    ap.add_argument("--max-ratio", action="append", default=[], help="ROUTE=BOUND, e.g. get=0.85 (with --check)")
    ap.add_argument("--junit", help="the verdicts of --check as JUnit XML")
    args = ap.parse_args()
    bounds = {k.strip(): float(v) for k, _, v in (m.partition("=") for m in args.max_ratio)}
    if bounds and not args.check:
        raise SystemExit("--max-ratio needs --check LABEL")
    shared.ensure_wrk()
    servers = [(s.partition("=")[0], s.partition("=")[2]) for s in args.server]
    labels = [label for label, _ in servers]
    reference = args.reference or labels[-1]
    if reference not in labels:
        raise SystemExit(f"--reference {reference} is not one of {labels}")
    routes = [r.strip() for r in args.routes.split(",") if r.strip()]
    if args.check and (args.check not in labels or args.check == reference):
        raise SystemExit(f"--check {args.check} must be one of {labels} other than the reference {reference}")
    if set(bounds) - set(routes):
        raise SystemExit(f"--max-ratio names routes not measured: {sorted(set(bounds) - set(routes))}")

    if args.backend == "stub":
        stub = Stub(args.users)
        backend, backend_pid = Endpoint(stub.url), stub.proc.pid
    else:
        moto = Moto()
        moto.make_table_and_bucket(TABLE, BUCKET)
        shared.seed(moto, args.users)
        backend, backend_pid = moto, moto.proc.pid

    procs = {}
    for label, cmd in servers:
        port = free_port()
        env = api_env(backend, TABLE, BUCKET, {"PORT": str(port), "ASPNETCORE_URLS": f"http://127.0.0.1:{port}"})
        log = str(WORK / f"interleave-{''.join(ch if ch.isalnum() else '_' for ch in label)}.log")
        proc = spawn(["sh", "-c", cmd], env=env, log=log)
        ready = wait_live(port, proc, args.startup_timeout, log)
        procs[label] = {"proc": proc, "base": f"http://127.0.0.1:{port}", "ready_s": round(ready, 3)}
    sampler = PeakRss([p["proc"].pid for p in procs.values()])
    sampler.start()

    tag = uuid.uuid4().hex[:6]
    # POST: a fresh e-mail prefix for every wrk run (wrk's counters restart with each run), so no request is a 409.
    runs_started = iter(range(1_000_000))
    scripts = {"get": lambda label: shared.LUA_GET, "post": lambda label: shared.lua_post(f"{tag}{next(runs_started)}")}
    backend_cpu0, started = shared.cpu_ms(backend_pid), time.time()
    result = {"backend": args.backend, "users": args.users, "rounds": args.rounds, "seconds": args.seconds,
              "concurrency": args.concurrency, "cores": os.cpu_count(), "reference": reference,
              "loadavg_before": os.getloadavg()[0], "servers": {l: {"ready_s": p["ready_s"]} for l, p in procs.items()},
              "routes": {}}
    for route in routes:
        for label in labels:  # warm-up: the JIT settles, connections to the backend are made
            shared.finish_wrk(*shared.start_wrk(procs[label]["base"], scripts[route](label), args.warmup_seconds,
                                                args.concurrency, args.wrk_threads))
        runs = {label: [] for label in labels}
        for i in range(args.rounds):
            order = labels if i % 2 == 0 else labels[::-1]
            for label in order:
                p = procs[label]
                runs[label].append(drive(p["base"], scripts[route](label), args.seconds, args.concurrency,
                                         args.wrk_threads, p["proc"].pid))
        ref = [r["cpu_ms_per_req"] for r in runs[reference]]
        summary = {}
        for label in labels:
            cpu = [r["cpu_ms_per_req"] for r in runs[label]]
            ratios = [c / rf for c, rf in zip(cpu, ref) if rf > 0]
            summary[label] = {
                "cpu_ms_per_req_median": round(statistics.median(cpu), 4), "cpu_ms_per_req": cpu,
                "ratio_median": round(statistics.median(ratios), 4), "ratios": [round(x, 4) for x in ratios],
                "rps_median": round(statistics.median(r["rps"] for r in runs[label]), 1),
                "p50_ms_median": statistics.median(r["p50_ms"] for r in runs[label]),
                "p99_ms_median": statistics.median(r["p99_ms"] for r in runs[label]),
                "cores_median": statistics.median(r["cores"] for r in runs[label]),
                "non2xx": sum(r["non2xx"] for r in runs[label]),
                "socket_errors": sum(sum(r["socket_errors"].values()) for r in runs[label]),
                "runs": runs[label],
            }
        result["routes"][route] = summary
    sampler.stop.set()
    sampler.join(1)
    elapsed = time.time() - started
    for label, p in procs.items():
        result["servers"][label]["peak_rss_mb"] = round(sampler.peak[p["proc"].pid] / 2**20, 1)
    result["backend_cores"] = round((shared.cpu_ms(backend_pid) - backend_cpu0) / (elapsed * 1000), 2)
    result["loadavg_after"] = os.getloadavg()[0]
    result["elapsed_s"] = round(elapsed, 1)

    emit_json("INTERLEAVE_JSON", result, args.json_out)
    print(f"\ninterleaved: {args.backend} backend, {args.users} users, c={args.concurrency}, {args.rounds} rounds x "
          f"{args.seconds:g} s per server and route, {os.cpu_count()} cores, load average "
          f"{result['loadavg_before']:.1f} -> {result['loadavg_after']:.1f}, backend {result['backend_cores']} cores")
    hdr = f"{'server':<22}{'route':<12}{'CPU ms/req':>11}{'ratio':>8}{'ratio range':>15}{'req/s':>8}{'p99 ms':>8}" \
          f"{'cores':>7}{'non2xx':>7}{'peak RSS':>10}"
    print(hdr)
    print("-" * len(hdr))
    for route in routes:
        for label in labels:
            s = result["routes"][route][label]
            print(f"{label:<22}{ROUTES[route]:<12}{s['cpu_ms_per_req_median']:>11.3f}{s['ratio_median']:>8.3f}"
                  f"{min(s['ratios']):>7.3f}-{max(s['ratios']):<7.3f}{s['rps_median']:>8.0f}{s['p99_ms_median']:>8.1f}"
                  f"{s['cores_median']:>7.2f}{s['non2xx'] + s['socket_errors']:>7}"
                  f"{result['servers'][label]['peak_rss_mb']:>8.0f}MB")

    if args.check:
        sys.exit(check(result, args.check, reference, bounds, args.junit))


def check(result, label, reference, bounds, junit):
    """The guard's verdict per route: median ratio within its bound, every request of both servers a 2xx."""
    cases = []
    print(f"\nguard: {label} against {reference}, median of {result['rounds']} interleaved ratios of CPU ms per request")
    for route, bound in bounds.items():
        s, ref = result["routes"][route][label], result["routes"][route][reference]
        refused = {l: x["non2xx"] + x["socket_errors"] for l, x in ((label, s), (reference, ref))}
        problems = []
        if s["ratio_median"] > bound:
            problems.append(f"median ratio {s['ratio_median']:.3f} > {bound:.3f}")
        problems += [f"{l}: {n} non-2xx or failed requests" for l, n in refused.items() if n]
        verdict = "FAILED: " + "; ".join(problems) if problems else "ok"
        print(f"  {ROUTES[route]:<11} {s['cpu_ms_per_req_median']:.3f} vs {ref['cpu_ms_per_req_median']:.3f} ms/req, "
              f"ratio {s['ratio_median']:.3f} (rounds {min(s['ratios']):.3f}-{max(s['ratios']):.3f}), bound {bound:.3f}: "
              f"{verdict}")
        cases.append((route, bound, s, problems))
    if junit:
        os.makedirs(os.path.dirname(os.path.abspath(junit)), exist_ok=True)
        failures = sum(1 for c in cases if c[3])
        with open(junit, "w") as f:
            f.write(f'<?xml version="1.0" encoding="utf-8"?>\n<testsuites tests="{len(cases)}" failures="{failures}">\n'
                    f'<testsuite name="perf-guard" tests="{len(cases)}" failures="{failures}" '
                    f'time="{result["elapsed_s"]}">\n')
            for route, bound, s, problems in cases:
                name = f"{ROUTES[route]} CPU per request within x{bound:g} of {reference}"
                f.write(f'<testcase classname="perf-guard" name={quoteattr(name)}>')
                if problems:
                    f.write(f'<failure message={quoteattr("; ".join(problems))}/>')
                f.write(f'<system-out>{s["ratios"]}</system-out></testcase>\n')
            f.write("</testsuite>\n</testsuites>\n")
    return 1 if any(c[3] for c in cases) else 0


if __name__ == "__main__":
    main()
