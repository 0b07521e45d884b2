#!/usr/bin/env python3
"""GET /users at growing table sizes: the server's CPU per listed user and its peak memory.

One moto_server and one server process: the table is seeded with the smallest size (DynamoDB items only: listing
never touches S3 in public URL mode), the server answers --warmup GET /users so the JIT has settled, then for each
size the table grows to it, one GET checks the count and `--reps` measured ones follow, one at a time. Printed per size: CPU ms per GET and microseconds per listed user (the server's
whole process tree, from /proc), peak RSS of the tree while listing, and the response size.
moto is the slow part (it scans ~2,000 items a second here), so 100,000 users take about a minute per GET; the
project runs with SCAN_PAGE_SIZE=1000 because a 1 MB Scan page takes moto longer than the service's per-call timeout
(real DynamoDB returns one in tens of milliseconds).

  python3 bench/list_scale.py --label users-api --sizes 100,10000,100000 \
      --server 'cd artifacts/bench-app && SCAN_PAGE_SIZE=1000 exec dotnet Users.Functions.dll'
  python3 bench/list_scale.py --label peer --sizes 100,10000,100000 \
      --server 'cd ../shared/bench && exec /usr/bin/python3 /usr/bin/gunicorn -w 2 -b 127.0.0.1:$PORT peer_flask:app'

Loopback only; every request is bounded by --timeout.
"""
import argparse
import http.client
import json
import pathlib
import sys
import threading
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "bench"))
import benchlib  # noqa: E402  (../shared/bench, beside the clone)
from run import cpu_ms, rss_pss, tree  # noqa: E402  (../shared/bench/run.py: the /proc measurements every bench uses)

TABLE, BUCKET = "users", "users-avatars"


def rss(pids):
    return rss_pss(pids)[0]


class PeakRss(threading.Thread):
    """Every 20 ms, the RSS summed over the server's tree; .peak is the highest seen since reset()."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.peak, self.stop = root, 0, threading.Event()
        self.pids = tree(root)

    def run(self):
        n = 0
        while not self.stop.is_set():
            if n % 50 == 0:
                self.pids = tree(self.root)
            self.peak = max(self.peak, rss(self.pids))
            n += 1
            time.sleep(0.02)

    def reset(self):
        self.peak = rss(self.pids)


class ScanStub:
    """--backend stub: a DynamoDB that answers Scan from a virtual table of `users` items at once, in pages of at most
    6,000 items (about DynamoDB's 1 MB) or the request's Limit, with LastEvaluatedKey, as DynamoDB pages. Nothing else
    is answered. It runs in this process, so its CPU is not counted against the server."""

    PAGE = 6000

    def __init__(self):
        import http.server
        stub = self
        self.users = 0

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                if not self.headers.get("X-Amz-Target", "").endswith(".Scan"):
                    self.send_error(400)
                    return
                start = request.get("ExclusiveStartKey", {}).get("email", {}).get("S")
                first = int(start[4:start.index("@")]) + 1 if start else 0
                last = min(stub.users, first + min(request.get("Limit", stub.PAGE), stub.PAGE))
                page = {"Items": [{"name": {"S": f"Seed User {i}"}, "email": {"S": f"seed{i}@bench.test"},
                                   "avatar_url": {"S": f"http://127.0.0.1/{BUCKET}/avatars/{i:032x}.png"}} for i in range(first, last)]}
                page["Count"] = page["ScannedCount"] = last - first
                if last < stub.users:
                    page["LastEvaluatedKey"] = {"email": {"S": f"seed{last - 1}@bench.test"}}
                body = json.dumps(page).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/x-amz-json-1.0")
                self.send_header("x-amzn-RequestId", "stub")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def seed(moto, first, n):
    """Users first..n-1 (the table grows from one size to the next)."""
    ddb = moto.client("dynamodb")
    for start in range(first, n, 25):
        batch = {TABLE: [{"PutRequest": {"Item": {
            "name": {"S": f"Seed User {i}"},
            "email": {"S": f"seed{i}@bench.test"},
            "avatar_url": {"S": f"{moto.url}/{BUCKET}/avatars/{i:032x}.png"}}}}
            for i in range(start, min(n, start + 25))]}
        while batch:
            batch = ddb.batch_write_item(RequestItems=batch).get("UnprocessedItems") or None


def get_users(port, timeout):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    c.request("GET", "/users")
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, body


def start(args, moto):
    port = benchlib.free_port()
    env = benchlib.api_env(moto, TABLE, BUCKET, {"PORT": str(port), "ASPNETCORE_URLS": f"http://127.0.0.1:{port}", "METRICS_PORT": "0"})
    proc = benchlib.spawn(["sh", "-c", args.server], env=env, log=str(benchlib.WORK / f"list-{args.label}.log"))
    deadline = time.time() + 120
    while True:
        if proc.poll() is not None:
            raise SystemExit(f"server exited rc={proc.returncode}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/health/live")
            ok = c.getresponse().status == 200
            c.close()
            if ok:
                return proc, port
        except OSError:
            pass
        if time.time() > deadline:
            raise SystemExit("server not live within 120 s")
        time.sleep(0.05)


def measure(size, args, proc, port, sampler):
    status, body = get_users(port, args.timeout)
    listed = len(json.loads(body)) if status == 200 else None
    if listed != size:
        raise SystemExit(f"GET /users: {status}, {listed} users (expected {size})")
    idle_rss = rss(tree(proc.pid))
    sampler.reset()
    cpu, wall = [], []
    for _ in range(args.reps):
        before, t = cpu_ms(proc.pid), time.time()
        status, body = get_users(port, args.timeout)
        wall.append(time.time() - t)
        cpu.append(cpu_ms(proc.pid) - before)
        if status != 200:
            raise SystemExit(f"GET /users: {status}")
    cpu.sort()
    median = cpu[len(cpu) // 2]
    return {"label": args.label, "users": size, "reps": args.reps,
            "cpu_ms_per_get": round(median, 1), "cpu_ms_min_max": [round(cpu[0], 1), round(cpu[-1], 1)],
            "us_per_user": round(median * 1000 / size, 2), "wall_s_per_get": round(sorted(wall)[len(wall) // 2], 2),
            "rss_before_mb": round(idle_rss / 2**20, 1), "peak_rss_mb": round(sampler.peak / 2**20, 1),
            "response_mb": round(len(body) / 2**20, 2)}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True)
    ap.add_argument("--label", required=True)
    ap.add_argument("--sizes", default="100,10000,100000")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--warmup", type=int, default=200, help="GET /users on the smallest table before measuring")
    ap.add_argument("--timeout", type=float, default=900)
    ap.add_argument("--backend", choices=["moto", "stub"], default="moto",
                    help="stub: an in-process DynamoDB Scan stub (for 100,000 users: moto takes minutes per Scan of them)")
    ap.add_argument("--json-out")
    args = ap.parse_args()
    print("| server | users | CPU ms / GET (min–max) | µs per listed user | RSS before → peak while listing | response |")
    print("|---|---|---|---|---|---|")
    if args.backend == "stub":
        moto = ScanStub()
        grow = lambda first, n: setattr(moto, "users", n)  # noqa: E731
    else:
        moto = benchlib.Moto()
        moto.make_table_and_bucket(TABLE, BUCKET)
        grow = lambda first, n: seed(moto, first, n)  # noqa: E731
    sizes = [int(s) for s in args.sizes.split(",")]
    grow(0, sizes[0])
    proc, port = start(args, moto)
    # Warm-up on the smallest table, so the JIT has settled before anything is measured.
    for _ in range(args.warmup):
        get_users(port, args.timeout)
    sampler = PeakRss(proc.pid)
    sampler.start()
    seeded = sizes[0]
    for size in sizes:
        grow(seeded, size)
        seeded = size
        r = measure(size, args, proc, port, sampler)
        print(f"| {r['label']} | {r['users']:,} | {r['cpu_ms_per_get']} ({r['cpu_ms_min_max'][0]}–{r['cpu_ms_min_max'][1]}) "
              f"| {r['us_per_user']} | {r['rss_before_mb']} → {r['peak_rss_mb']} MB | {r['response_mb']} MB |", flush=True)
        if args.json_out:
            with open(args.json_out, "a") as f:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
