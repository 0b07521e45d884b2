#!/usr/bin/env python3
"""The avatar sweep at scale: one `Users.Functions sweep` run per size, its wall time, CPU, peak RSS and AWS calls.

    python3 bench/sweep_scale.py --app artifacts/native/Users.Functions --sizes 1000,10000,100000

Each size is a table of N users (each pointing to its own avatar) and a bucket of those N avatars plus N/100 orphans
(avatars no user points to), every one stored long ago; a run removes at most 1,000 (SWEEP_MAX_REMOVALS' default). The backend is a stub in this process, answering as one AWS
endpoint (S3 path-style) exactly the calls the sweep makes: DynamoDB Scan (strongly consistent, the avatar_url
projection, pages of the request's Limit, 1,000 by default), S3 ListObjectsV2 (prefix avatars/, 1,000 keys a page) and
DeleteObject. It checks each request (a Scan that is not consistent, a listing outside avatars/, a removal of an
avatar a user points to are errors) and counts them by operation. moto is not used: it scans about 2,000 items a
second, so its time would hide the sweep's own; the call counts say what the run costs on AWS (each call there takes
tens of milliseconds: the run's time on AWS is about the calls' count times that).

Printed per size: the run's exit code and report (examined, orphans found, removed), wall seconds, CPU seconds and
peak RSS of the process (its rusage, from wait4), and the calls by operation. Memory is bounded by design: one 8-byte
fingerprint per user (≈ 20 bytes with the set) and the held candidates (at most SWEEP_MAX_REMOVALS), never a user's
data; the growth between sizes shows it. Figures taken on a shared, busy machine: compare the sizes of one sitting.
Loopback only; every run is bounded by --timeout.
"""
import argparse
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import urllib.parse
from collections import Counter

BUCKET, TABLE = "users-avatars", "users"
STORED = "2026-01-01T00:00:00.000Z"
MAX_REMOVALS = 1000  # SWEEP_MAX_REMOVALS' default: beyond it, the orphans are left for the next run


class Stub:
    """The table (users 0..n-1, user i pointing to avatars/{i:032x}.png) and the bucket (those plus the orphans)."""

    def __init__(self):
        self.users = 0
        self.orphans = 0
        self.calls = Counter()
        self.errors = []
        self.removed = set()
        self.lock = threading.Lock()
        stub = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))) or b"{}")
                target = self.headers.get("X-Amz-Target", "")
                if target != "DynamoDB_20120810.Scan":
                    return self.answer(400, b'{"__type":"UnknownOperation"}', "application/x-amz-json-1.0", f"DynamoDB {target}")
                if not body.get("ConsistentRead") or body.get("TableName") != TABLE:
                    stub.error(f"a Scan that is not strongly consistent or not of {TABLE}: {body}")
                start = body.get("ExclusiveStartKey", {}).get("email", {}).get("S")
                first = int(start[1:start.index("@")]) + 1 if start else 0
                last = min(stub.users, first + body.get("Limit", 1000))
                page = {"Items": [{"avatar_url": {"S": f"http://127.0.0.1/{BUCKET}/{key(i)}"}} for i in range(first, last)]}
                page["Count"] = page["ScannedCount"] = last - first
                if last < stub.users:
                    page["LastEvaluatedKey"] = {"email": {"S": f"u{last - 1}@bench.test"}}
                self.answer(200, json.dumps(page).encode(), "application/x-amz-json-1.0", "dynamodb:Scan")

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = urllib.parse.parse_qs(url.query)
                if url.path.strip("/") != BUCKET or query.get("list-type") != ["2"]:
                    return self.answer(400, b"<Error><Code>NotImplemented</Code></Error>", "application/xml", f"GET {self.path}")
                if query.get("prefix") != ["avatars/"]:
                    stub.error(f"a listing outside avatars/: {self.path}")
                total = stub.users + stub.orphans
                first = int(query.get("continuation-token", ["0"])[0])
                last = min(total, first + int(query.get("max-keys", ["1000"])[0]))
                contents = "".join(
                    f"<Contents><Key>{key(i)}</Key><LastModified>{STORED}</LastModified><ETag>&quot;e&quot;</ETag>"
                    f"<Size>68</Size><StorageClass>STANDARD</StorageClass></Contents>" for i in range(first, last))
                more = last < total
                xml = (f'<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
                       f"<Name>{BUCKET}</Name><Prefix>avatars/</Prefix><KeyCount>{last - first}</KeyCount><MaxKeys>1000</MaxKeys>"
                       f"<IsTruncated>{'true' if more else 'false'}</IsTruncated>"
                       + (f"<NextContinuationToken>{last}</NextContinuationToken>" if more else "")
                       + contents + "</ListBucketResult>")
                self.answer(200, xml.encode(), "application/xml", "s3:ListObjectsV2")

            def do_DELETE(self):
                path = urllib.parse.unquote(urllib.parse.urlsplit(self.path).path).lstrip("/")
                bucket, _, object_key = path.partition("/")
                index = int(object_key[len("avatars/"):-len(".png")], 16) if object_key.startswith("avatars/") else -1
                if bucket != BUCKET or index < stub.users:
                    stub.error(f"removed {path}, which a user points to (or is not an avatar)")
                with stub.lock:
                    stub.removed.add(object_key)
                self.answer(204, b"", None, "s3:DeleteObject")

            def answer(self, status, body, content_type, operation):
                with stub.lock:
                    stub.calls[operation] += 1
                self.send_response(status)
                if content_type:
                    self.send_header("Content-Type", content_type)
                self.send_header("x-amzn-RequestId", "stub")
                self.send_header("x-amz-request-id", "stub")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def error(self, message):
        with self.lock:
            self.errors.append(message)

    def reset(self, users):
        with self.lock:
            self.users, self.orphans = users, max(1, users // 100)
            self.calls.clear()
            self.errors.clear()
            self.removed.clear()


def key(i):
    return f"avatars/{i:032x}.png"


def run(app, stub, users, timeout):
    stub.reset(users)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OTEL_", "SWEEP_"))}
    env.update({"AWS_ENDPOINT_URL": stub.url, "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                "USERS_TABLE_NAME": TABLE, "AVATARS_BUCKET_NAME": BUCKET, "SWEEP_GRACE_PERIOD_SECONDS": "3600"})
    app = os.path.abspath(app)
    command = [app, "sweep"] if not app.endswith(".dll") else ["dotnet", app, "sweep"]
    started = time.monotonic()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=os.path.dirname(app))
    timer = threading.Timer(timeout, proc.kill)
    timer.start()
    output = proc.stdout.read().decode(errors="replace")
    _, status, usage = os.wait4(proc.pid, 0)
    timer.cancel()
    wall = time.monotonic() - started
    summary = next((json.loads(line) for line in output.splitlines() if line.startswith("{") and '"Avatar sweep' in line), {})
    return {
        "users": users, "objects": users + stub.orphans, "orphans": stub.orphans,
        "exit": os.waitstatus_to_exitcode(status), "examined": summary.get("examined"), "orphans_found": summary.get("orphans_found"),
        "removed": summary.get("removed"), "removed_by_stub": len(stub.removed),
        "wall_s": round(wall, 2), "cpu_s": round(usage.ru_utime + usage.ru_stime, 2), "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "calls": dict(sorted(stub.calls.items())), "errors": list(stub.errors), "log_tail": output.splitlines()[-3:],
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--app", required=True, help="the published app: a native executable (what the image ships) or Users.Functions.dll")
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--json-out")
    args = ap.parse_args()

    stub = Stub()
    results = []
    print(f"{'users':>8} {'objects':>8} {'orphans':>7} {'removed':>7} {'wall s':>7} {'CPU s':>6} {'peak RSS MB':>11}  calls")
    for users in (int(s) for s in args.sizes.split(",")):
        r = run(args.app, stub, users, args.timeout)
        results.append(r)
        print(f"{r['users']:>8} {r['objects']:>8} {r['orphans']:>7} {r['removed']!s:>7} {r['wall_s']:>7} {r['cpu_s']:>6} {r['peak_rss_mb']:>11}  "
              + ", ".join(f"{op} {n}" for op, n in r["calls"].items()))
        expected = min(r["orphans"], MAX_REMOVALS)
        if r["exit"] != 0 or r["errors"] or r["removed"] != expected or r["removed_by_stub"] != expected or r["orphans_found"] != r["orphans"]:
            print(json.dumps(r, indent=2), file=sys.stderr)
            raise SystemExit(f"the sweep over {users} users did not find its {r['orphans']} orphans and remove {expected} of them")
    if len(results) > 1:
        first, last = results[0], results[-1]
        per_user = (last["peak_rss_mb"] - first["peak_rss_mb"]) * 1024 * 1024 / (last["users"] - first["users"])
        print(f"peak RSS growth from {first['users']} to {last['users']} users: {last['peak_rss_mb'] - first['peak_rss_mb']:.1f} MB "
              f"(≈ {per_user:.0f} bytes a user)")
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
