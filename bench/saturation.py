#!/usr/bin/env python3
"""Saturation benchmark: each server against a backend that costs almost nothing, driven to its limit.

    python3 bench/saturation.py --server 'LABEL=SHELL CMD using $PORT' [--server ...] [--seconds 15]
                                [--concurrency 32] [--warmup-seconds 3] [--users 100] [--json-out FILE]

A stub (bench/stub_backend.py: canned DynamoDB Scan/PutItem/GetItem/DescribeTable and S3 PutObject/DeleteObject/
HeadBucket answers over keep-alive, loopback) replaces moto, so the server under test is the bottleneck. For each
server, one after the other: start it with the same environment as ../shared/bench/run.py gives (plus what the
command adds), wait for /health/live, then for GET /users and POST /user (../shared/bench's wrk scripts): a
warm-up of --warmup-seconds with wrk, then wrk for --seconds at --concurrency connections. The server's CPU
(utime+stime of its whole process tree, from /proc, ../shared/bench's method) is read over the steady middle of
the run (1 s trimmed at each end); the stub's and wrk's CPU are reported too, so a reader can see whether the
server really was the bottleneck (server cores near what the machine left it; stub well below a core).
Prints, per server and route: req/s, p50/p99, non-2xx, server cores, CPU ms per request and requests per
CPU-second ("req/s per core": what one fully used core would serve).
"""
import argparse, json, os, resource, subprocess, sys, time, uuid, http.client

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("BENCH_SHARED", os.path.join(HERE, "..", "..", "shared", "bench"))
sys.path.insert(0, os.path.abspath(SHARED))
import run as shared  # noqa: E402  (../shared/bench/run.py: /proc helpers and the wrk scripts)
from benchlib import spawn, free_port, api_env, WORK  # noqa: E402

TABLE, BUCKET = "users", "users-avatars"


class Endpoint:
    """What benchlib.api_env needs of a backend: its URL."""

    def __init__(self, url):
        self.url = url


class Stub:
    """bench/stub_backend.py on a free loopback port (stopped at exit with every process benchlib.spawn started)."""

    def __init__(self, users, extra=()):
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.proc = spawn([sys.executable, os.path.join(HERE, "stub_backend.py"), "--port", str(port),
                           "--users", str(users), *extra], log=str(WORK / "stub.log"))
        deadline = time.time() + 10
        while True:
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
                c.request("HEAD", f"/{BUCKET}"); c.getresponse().read(); c.close(); break
            except OSError:
                if time.time() > deadline:
                    raise SystemExit("stub backend did not start")
                time.sleep(0.05)


def emit_json(tag, result, json_out):
    """The result as one JSON line on stdout after its tag, and appended to json_out when given."""
    line = json.dumps(result, separators=(",", ":"))
    print(f"{tag} {line}", flush=True)
    if json_out:
        with open(json_out, "a") as f:
            f.write(line + "\n")


def wait_live(port, proc, timeout, log):
    t0 = time.time()
    while time.time() - t0 < timeout:
        if proc.poll() is not None:
            raise SystemExit(f"server exited rc={proc.returncode}; see {log}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health/live"); r = c.getresponse(); r.read(); c.close()
            if r.status == 200:
                return time.time() - t0
        except OSError:
            pass
        time.sleep(0.01)
    raise SystemExit(f"server not live within {timeout}s; see {log}")


def run_wrk(base, script, seconds, conc, threads):
    p, path = shared.start_wrk(base, script, seconds, conc, threads)
    return shared.finish_wrk(p, path)


def phase(base, script, args, server_pid, stub_pid):
    run_wrk(base, script, args.warmup_seconds, args.concurrency, args.wrk_threads)
    srv, stub = (lambda: shared.cpu_ms(server_pid)), (lambda: shared.cpu_ms(stub_pid))
    ch0, s0, t0 = resource.getrusage(resource.RUSAGE_CHILDREN), shared.sys_cpu(), time.time()
    p, path = shared.start_wrk(base, script, args.seconds, args.concurrency, args.wrk_threads)
    d = min(1.0, args.seconds * 0.1)
    time.sleep(max(0.0, t0 + d - time.time()))
    a0, b0, w0 = srv(), stub(), time.time()
    time.sleep(max(0.0, t0 + args.seconds - d - time.time()))
    a1, b1, w1 = srv(), stub(), time.time()
    w = shared.finish_wrk(p, path)
    ch1, s1, t1 = resource.getrusage(resource.RUSAGE_CHILDREN), shared.sys_cpu(), time.time()
    rps = w["requests"] / (w["duration_us"] / 1e6)
    window_ms = (w1 - w0) * 1000
    window_req = max(rps * (w1 - w0), 1e-9)
    cpu_per_req = (a1 - a0) / window_req
    wrk_ms = (ch1.ru_utime + ch1.ru_stime - ch0.ru_utime - ch0.ru_stime) * 1000
    return {
        "requests": w["requests"], "rps": round(rps, 1),
        "p50_ms": w["p50_us"] / 1000, "p99_ms": w["p99_us"] / 1000, "non2xx": w["non2xx"], "codes": w["codes"],
        "socket_errors": {k[4:]: w[k] for k in ("err_connect", "err_read", "err_write", "err_timeout") if w[k]},
        "server_cpu_ms_per_req": round(cpu_per_req, 3),
        "server_cores": round((a1 - a0) / window_ms, 2),
        "req_per_cpu_second": round(1000.0 / cpu_per_req, 0) if cpu_per_req else None,
        "stub_cpu_ms_per_req": round((b1 - b0) / window_req, 3),
        "stub_cores": round((b1 - b0) / window_ms, 2),
        "wrk_cores": round(wrk_ms / ((t1 - t0) * 1000), 2),
        "machine_busy_pct": round(100.0 * (s1[0] - s0[0]) / max(s1[1] - s0[1], 1), 1),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", action="append", required=True, help="LABEL=shell command ($PORT in its environment)")
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--warmup-seconds", type=int, default=3)
    ap.add_argument("--wrk-threads", type=int, default=2)
    ap.add_argument("--users", type=int, default=100, help="items in the stub's Scan page")
    ap.add_argument("--startup-timeout", type=float, default=60)
    ap.add_argument("--json-out")
    args = ap.parse_args()
    shared.ensure_wrk()

    stub = Stub(args.users)
    backend = Endpoint(stub.url)

    tag = uuid.uuid4().hex[:6]
    results = []
    for spec in args.server:
        label, _, cmd = spec.partition("=")
        port = free_port()
        env = api_env(backend, TABLE, BUCKET, {"PORT": str(port), "ASPNETCORE_URLS": f"http://127.0.0.1:{port}"})
        log = str(WORK / f"saturation-{''.join(ch if ch.isalnum() else '_' for ch in label)}.log")
        proc = spawn(["sh", "-c", cmd], env=env, log=log)
        try:
            startup = wait_live(port, proc, args.startup_timeout, log)
            base = f"http://127.0.0.1:{port}"
            res = {"label": label, "server": cmd, "users": args.users, "seconds": args.seconds,
                   "concurrency": args.concurrency, "cores": os.cpu_count(), "startup_s": round(startup, 3),
                   "loadavg_before": os.getloadavg()[0]}
            res["get_users"] = phase(base, shared.LUA_GET, args, proc.pid, stub.proc.pid)
            res["post_user"] = phase(base, shared.lua_post(tag + label[:4]), args, proc.pid, stub.proc.pid)
            res["loadavg_after"] = os.getloadavg()[0]
        finally:
            try:
                os.killpg(proc.pid, 15)  # its own session and process group (benchlib.spawn)
            except ProcessLookupError:
                pass
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)
        results.append(res)
        emit_json("SATURATION_JSON", res, args.json_out)

    print(f"\nsaturation: stub backend, {args.users} users per Scan, c={args.concurrency}, {args.seconds} s per route, "
          f"{os.cpu_count()} cores")
    hdr = f"{'server':<14}{'route':<12}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'non2xx':>7}{'srv cores':>10}" \
          f"{'CPU ms/req':>11}{'req/s/core':>11}{'stub cores':>11}{'wrk cores':>10}{'busy %':>7}"
    print(hdr); print("-" * len(hdr))
    for r in results:
        for name, key in (("GET /users", "get_users"), ("POST /user", "post_user")):
            p = r[key]
            print(f"{r['label']:<14}{name:<12}{p['rps']:>8.0f}{p['p50_ms']:>8.2f}{p['p99_ms']:>8.2f}{p['non2xx']:>7}"
                  f"{p['server_cores']:>10.2f}{p['server_cpu_ms_per_req']:>11.3f}{p['req_per_cpu_second'] or 0:>11.0f}"
                  f"{p['stub_cores']:>11.2f}{p['wrk_cores']:>10.2f}{p['machine_busy_pct']:>7.1f}")


if __name__ == "__main__":
    main()
