#!/usr/bin/env python3
"""Latency against offered load: GET /users at fixed arrival rates (an open model), each server in turn.

    python3 bench/latency_load.py --server 'LABEL=SHELL CMD using $PORT' [--server ...] [--rates 50,100,...,3200]
                                  [--seconds 4] [--users 100] [--slo-ms 100] [--max-connections 256] [--json-out FILE]

wrk keeps a fixed number of requests in flight (a closed model): when the server slows down, wrk slows down with it
and the latency it reports hides the queue. Here requests are *scheduled* at the offered rate, one every 1/rate
seconds whatever the server does, and each request's latency is counted from the moment it was scheduled to the
last byte of its answer, so time spent waiting for a free connection (the client-side queue that forms past
saturation) is in it. Connections are HTTP/1.1 keep-alive, opened as needed up to --max-connections (a server that
closes after each answer, as gunicorn's sync workers do, gets a new one per request).

Every server is started once against bench/stub_backend.py (canned DynamoDB/S3 answers: the server, not the backend,
is the bottleneck; --users items per Scan) and kept running; after a warm-up, for each rate (ascending) every server
is driven for --seconds in turn, the order reversed at every other rate, so a shared machine's drift falls on all.
Per server and rate: p50/p99 latency of the 2xx answers, the 2xx answered per second, the other answers by status (a
503 is the service shedding load), and the goodput (2xx answers within --slo-ms, per second of offered load). A request still unanswered --drain-seconds after the last one was scheduled counts as
failed. The generator's own CPU is printed (when it nears a core, the generator, not the server, sets the pace).
After each run the script waits (up to 15 s) for the server to go idle before the next one starts.
Loopback only; every run is bounded by --seconds + --drain-seconds; every process started here is stopped at exit.
Prints a table and one JSON line ("LATENCY_JSON ..."), appended to --json-out.
"""
import argparse, asyncio, collections, json, os, resource, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED = os.environ.get("BENCH_SHARED", os.path.join(HERE, "..", "..", "shared", "bench"))
sys.path.insert(0, os.path.abspath(SHARED))
sys.path.insert(0, HERE)
from benchlib import spawn, free_port, api_env, WORK  # noqa: E402  (../shared/bench)
from saturation import Endpoint, Stub, emit_json, wait_live  # noqa: E402
from run import cpu_ms  # noqa: E402  (../shared/bench/run.py: CPU of a process tree, from /proc)

TABLE, BUCKET = "users", "users-avatars"
REQUEST = b"GET /users HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n"


def parse_response(buf):
    """(status, bytes consumed, close) of the first complete HTTP/1.1 response in buf, or None when incomplete."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = bytes(buf[:end]).split(b"\r\n")
    status = int(head[0].split(b" ", 2)[1])
    headers = {}
    for line in head[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower()] = v.strip().lower()
    pos = end + 4
    if headers.get(b"transfer-encoding") == b"chunked":
        while True:
            eol = buf.find(b"\r\n", pos)
            if eol < 0:
                return None
            size = int(bytes(buf[pos:eol]).split(b";")[0], 16)
            if size == 0:
                trailers_end = buf.find(b"\r\n\r\n", eol)
                if trailers_end < 0:
                    return None
                pos = trailers_end + 4
                break
            if len(buf) < eol + 2 + size + 2:
                return None
            pos = eol + 2 + size + 2
    else:
        length = int(headers.get(b"content-length", b"0"))
        if len(buf) < pos + length:
            return None
        pos += length
    return status, pos, headers.get(b"connection") == b"close"


class Load:
    """One open-model run: REQUEST scheduled every 1/rate s for `seconds` against 127.0.0.1:port."""

    def __init__(self, port, rate, seconds, max_connections):
        self.port, self.rate, self.seconds, self.max_connections = port, rate, seconds, max_connections
        self.pending = collections.deque()  # scheduled times of requests not yet sent
        self.idle, self.connections, self.connecting, self.all = [], 0, 0, set()
        self.results = []  # (latency s, status)
        self.failed = 0

    def done(self, conn, scheduled, status, close):
        self.results.append((time.perf_counter() - scheduled, status))
        if close:
            conn.transport.close()
        else:
            self.reuse(conn)

    def reuse(self, conn):
        if self.pending:
            conn.send(self.pending.popleft())
        else:
            self.idle.append(conn)

    def lost(self, conn, in_flight):
        self.connections -= 1
        self.all.discard(conn)
        if conn in self.idle:
            self.idle.remove(conn)
        if in_flight is not None:
            self.failed += 1
        self.grow()

    def grow(self):
        loop = asyncio.get_running_loop()
        while self.pending and self.connecting < len(self.pending) and self.connections < self.max_connections:
            self.connections += 1
            self.connecting += 1
            loop.create_task(self.connect())

    async def connect(self):
        loop = asyncio.get_running_loop()
        try:
            _, conn = await loop.create_connection(lambda: Conn(self), "127.0.0.1", self.port)
        except OSError:
            self.connections -= 1
            self.connecting -= 1
            return
        self.connecting -= 1
        self.reuse(conn)

    async def run(self, drain):
        n = int(self.rate * self.seconds)
        start = time.perf_counter()
        for i in range(n):
            due = start + i / self.rate
            delay = due - time.perf_counter()
            if delay > 0.0005:
                await asyncio.sleep(delay)
            self.pending.append(due)
            if self.idle:
                self.reuse(self.idle.pop())
            else:
                self.grow()
        deadline = start + self.seconds + drain
        while len(self.results) + self.failed < n and time.perf_counter() < deadline:
            await asyncio.sleep(0.01)
        unanswered = n - len(self.results) - self.failed
        for conn in list(self.all):
            conn.transport.close()
        return n, unanswered


class Conn(asyncio.Protocol):
    def __init__(self, load):
        self.load, self.buf, self.in_flight, self.transport = load, bytearray(), None, None

    def connection_made(self, transport):
        self.transport = transport
        self.load.all.add(self)

    def send(self, scheduled):
        self.in_flight = scheduled
        self.transport.write(REQUEST)

    def data_received(self, data):
        self.buf += data
        if self.in_flight is None:
            return
        parsed = parse_response(self.buf)
        if parsed:
            status, used, close = parsed
            del self.buf[:used]
            scheduled, self.in_flight = self.in_flight, None
            self.load.done(self, scheduled, status, close)

    def connection_lost(self, exc):
        in_flight, self.in_flight = self.in_flight, None
        self.load.lost(self, in_flight)


def percentile(sorted_values, p):
    return sorted_values[min(len(sorted_values) - 1, max(0, int(round(p * len(sorted_values) + 0.5)) - 1))]


def measure(port, rate, args):
    """One run at `rate`; its figures."""
    load = Load(port, rate, args.seconds, args.max_connections)
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    offered, unanswered = asyncio.run(load.run(args.drain_seconds))
    wall = time.perf_counter() - t0
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    ok = sorted(l for l, s in load.results if 200 <= s < 300)
    lat = ok
    good = sum(1 for l in ok if l * 1000 <= args.slo_ms)
    statuses = collections.Counter(s for _, s in load.results)
    return {
        "rate": rate, "offered": offered, "answered": len(load.results), "ok": len(ok),
        "failed": load.failed + unanswered, "codes": {str(k): v for k, v in sorted(statuses.items())},
        "p50_ms": round(percentile(lat, 0.50) * 1000, 2) if lat else None,
        "p99_ms": round(percentile(lat, 0.99) * 1000, 2) if lat else None,
        "throughput": round(len(ok) / args.seconds, 1), "goodput": round(good / args.seconds, 1),
        "generator_cores": round((cpu1.ru_utime + cpu1.ru_stime - cpu0.ru_utime - cpu0.ru_stime) / wall, 2),
        "connections": load.connections,
    }


def settle(pid, limit_s=15):
    """Wait (at most limit_s) until the server is idle: past saturation it may still be working off connections
    the last run left queued, which would load the machine under the next server's run."""
    deadline = time.time() + limit_s
    while time.time() < deadline:
        before = cpu_ms(pid)
        time.sleep(0.5)
        if cpu_ms(pid) - before < 50:  # under 10 % of a core
            return


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", action="append", required=True, help="LABEL=shell command ($PORT in its environment)")
    ap.add_argument("--rates", default="50,100,200,400,800,1600,3200", help="offered requests per second, ascending")
    ap.add_argument("--seconds", type=float, default=4)
    ap.add_argument("--drain-seconds", type=float, default=3)
    ap.add_argument("--warmup-seconds", type=float, default=2, help="per server, at the lowest rate")
    ap.add_argument("--users", type=int, default=100, help="items in the stub's Scan page")
    ap.add_argument("--slo-ms", type=float, default=100, help="goodput counts 2xx answers within this latency")
    ap.add_argument("--max-connections", type=int, default=256)
    ap.add_argument("--startup-timeout", type=float, default=60)
    ap.add_argument("--json-out")
    args = ap.parse_args()
    rates = [int(r) for r in args.rates.split(",") if r.strip()]
    servers = [(s.partition("=")[0], s.partition("=")[2]) for s in args.server]

    stub = Stub(args.users)
    backend = Endpoint(stub.url)
    ports, procs = {}, {}
    for label, cmd in servers:
        port = free_port()
        env = api_env(backend, TABLE, BUCKET, {"PORT": str(port), "ASPNETCORE_URLS": f"http://127.0.0.1:{port}"})
        log = str(WORK / f"latency-{''.join(ch if ch.isalnum() else '_' for ch in label)}.log")
        proc = spawn(["sh", "-c", cmd], env=env, log=log)
        wait_live(port, proc, args.startup_timeout, log)
        ports[label] = port
        procs[label] = proc
    started = time.time()
    result = {"backend": "stub", "route": "get", "users": args.users, "seconds": args.seconds, "slo_ms": args.slo_ms,
              "max_connections": args.max_connections, "cores": os.cpu_count(), "rates": rates,
              "loadavg_before": os.getloadavg()[0], "servers": {label: [] for label, _ in servers}}
    warm = argparse.Namespace(**{**vars(args), "seconds": args.warmup_seconds})
    for label, _ in servers:
        measure(ports[label], rates[0], warm)
    for i, rate in enumerate(rates):
        order = servers if i % 2 == 0 else servers[::-1]
        for label, _ in order:
            r = measure(ports[label], rate, args)
            settle(procs[label].pid)
            result["servers"][label].append(r)
            print(f"{label:<16} {rate:>6}/s  p50 {r['p50_ms']} ms  p99 {r['p99_ms']} ms  goodput {r['goodput']}/s  "
                  f"failed {r['failed']}  codes {r['codes']}  generator {r['generator_cores']} cores", flush=True)
    result["loadavg_after"] = os.getloadavg()[0]
    result["elapsed_s"] = round(time.time() - started, 1)
    emit_json("LATENCY_JSON", result, args.json_out)
    print(f"\nlatency against offered load: GET /users, stub backend, {args.users} users, {args.seconds:g} s per rate, "
          f"SLO {args.slo_ms:g} ms, load average {result['loadavg_before']:.1f} -> {result['loadavg_after']:.1f}")
    print(f"{'server':<16}{'offered/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'2xx/s':>8}{'goodput/s':>10}{'failed':>8}")
    for label, rows in result["servers"].items():
        for r in rows:
            print(f"{label:<16}{r['rate']:>10}{r['p50_ms'] or 0:>9.1f}{r['p99_ms'] or 0:>9.1f}{r['throughput']:>8.0f}"
                  f"{r['goodput']:>10.0f}{r['failed']:>8}")


if __name__ == "__main__":
    main()
