#!/usr/bin/env python3
"""DynamoDB read units per GET /users, with and without sharing, at several table sizes (docs/performance.md).

    python3 bench/read_units.py [--sizes 100,10000,100000] [--concurrency 8] [--bursts 3]
                                [--server 'cd artifacts/native && exec ./Users.Functions']

For each size, bench/stub_backend.py answers a Scan with the whole table (it counts the Scans it answers); the service
(as the image ships it, by default) is started once per setting: LIST_COALESCE=false, LIST_COALESCE=true, and
LIST_COALESCE=true with LIST_SNAPSHOT_SECONDS=5. Each setting gets --bursts bursts of --concurrency simultaneous
GET /users (each read whole and checked to list every user); Scan passes per GET = Scans answered / GETs.

Read units per pass follow DynamoDB's rule for Scan (moto's ReturnConsumedCapacity reports a constant 1.0 per call,
so it cannot measure this): each page of SCAN_PAGE_SIZE (1,000) items costs ceil(page bytes / 4 KB) x 0.5 units
(eventually consistent), an item's bytes being its attribute names and UTF-8 values. Items are the stub's, sized as
the service writes them (e-mail, name, avatar URL: ~110 bytes). Prints a table and one JSON line. Loopback only.
"""
import argparse, http.client, json, math, os, sys, threading, time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from saturation import Stub, wait_live  # noqa: E402  (it puts ../shared/bench on the path)
from stub_backend import _item  # noqa: E402
from benchlib import AWS_ENV, spawn, free_port, WORK  # noqa: E402

PAGE = 1000
SETTINGS = [("no sharing", {"LIST_COALESCE": "false"}), ("coalesce", {"LIST_COALESCE": "true"}),
            ("coalesce + 5 s snapshot", {"LIST_COALESCE": "true", "LIST_SNAPSHOT_SECONDS": "5"})]


def item_bytes(i):
    return sum(len(k.encode()) + len(v["S"].encode()) for k, v in _item(i).items())


def units_per_pass(users):
    total = 0.0
    for start in range(0, max(users, 1), PAGE):
        size = sum(item_bytes(i) for i in range(start, min(start + PAGE, users)))
        total += max(1, math.ceil(size / 4096)) * 0.5
    return total


def get(url):
    c = http.client.HTTPConnection("127.0.0.1", int(url.rsplit(":", 1)[1]), timeout=120)
    c.request("GET", "/users"); r = c.getresponse(); body = r.read(); c.close()
    return r.status, len(json.loads(body)) if r.status == 200 else None


def scans(stub_url):
    c = http.client.HTTPConnection("127.0.0.1", int(stub_url.rsplit(":", 1)[1]), timeout=10)
    c.request("GET", "/__stub/counts"); counts = json.loads(c.getresponse().read()); c.close()
    return counts.get("DynamoDB_20120810.Scan", 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="100,10000,100000")
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--bursts", type=int, default=3)
    ap.add_argument("--server", default=f"cd '{os.path.join(HERE, '..', 'artifacts', 'native')}' && exec ./Users.Functions")
    args = ap.parse_args()
    rows = []
    for users in (int(s) for s in args.sizes.split(",")):
        stub = Stub(users)
        per_pass = units_per_pass(users)
        for name, setting in SETTINGS:
            port = free_port()
            env = dict(os.environ, **AWS_ENV, AWS_ENDPOINT_URL=stub.url, USERS_TABLE_NAME="users",
                       AVATARS_BUCKET_NAME="users-avatars", PORT=str(port), ASPNETCORE_URLS=f"http://127.0.0.1:{port}",
                       METRICS_PORT="0", **setting)
            log = str(WORK / "read-units-server.log")
            proc = spawn(["sh", "-c", args.server], env=env, log=log)
            wait_live(port, proc, 60, log)
            base, before, gets = f"http://127.0.0.1:{port}", scans(stub.url), 0
            for _ in range(args.bursts):
                answers = []
                threads = [threading.Thread(target=lambda: answers.append(get(base))) for _ in range(args.concurrency)]
                for t in threads:
                    t.start()
                for t in threads:
                    t.join()
                bad = [a for a in answers if a != (200, users)]
                if bad:
                    raise SystemExit(f"{name}, {users} users: unexpected answers {bad[:3]}")
                gets += len(answers)
            passes = scans(stub.url) - before
            proc.terminate(); proc.wait(10)
            rows.append({"users": users, "setting": name, "gets": gets, "scan_passes": passes,
                         "passes_per_get": round(passes / gets, 3), "units_per_pass": per_pass,
                         "units_per_get": round(per_pass * passes / gets, 2)})
        stub.proc.terminate(); stub.proc.wait(10)
    print("READ_UNITS_JSON " + json.dumps(rows, separators=(",", ":")))
    print(f"\n{args.bursts} bursts of {args.concurrency} simultaneous GET /users per setting; "
          f"read units per pass by DynamoDB's Scan rule ({PAGE}-item pages, eventually consistent)")
    print(f"{'users':>8}  {'setting':<26}{'GETs':>6}{'passes':>8}{'passes/GET':>11}{'RU/pass':>9}{'RU/GET':>9}")
    for r in rows:
        print(f"{r['users']:>8}  {r['setting']:<26}{r['gets']:>6}{r['scan_passes']:>8}{r['passes_per_get']:>11.3f}"
              f"{r['units_per_pass']:>9g}{r['units_per_get']:>9g}")


if __name__ == "__main__":
    main()
