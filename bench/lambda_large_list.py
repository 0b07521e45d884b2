#!/usr/bin/env python3
"""GET /users on Lambda with a list larger than Lambda's 6 MB response payload.

A DynamoDB Scan stub (bench/list_scale.py's, paging as DynamoDB does) serves --users users (default 60,000: about
8.5 MB of JSON; moto takes longer than the service's per-call timeout to scan that many); the function runs behind the project's Lambda
emulator (tools/Users.LambdaEmulator, which refuses a response over 6,291,556 bytes as Lambda does). Checks, then
prints: the first GET /users is a 200 under LIST_MAX_RESPONSE_BYTES with a Link to the rest; following every Link
lists each user exactly once; and, for contrast, the same function with LIST_MAX_RESPONSE_BYTES=0 (no bound) fails.

  dotnet build src/Users.Functions -c Release && dotnet build tools/Users.LambdaEmulator -c Release
  python3 bench/lambda_large_list.py [--users 60000]
"""
import argparse
import http.client
import json
import pathlib
import re
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent.parent / "shared" / "bench"))
import benchlib  # noqa: E402
import list_scale  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
FUNCTION = ROOT / "src/Users.Functions/bin/Release/net10.0/Users.Functions.dll"
EMULATOR = ROOT / "tools/Users.LambdaEmulator/bin/Release/net10.0/Users.LambdaEmulator.dll"


def get(port, path):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    c.request("GET", path)
    r = c.getresponse()
    body = r.read()
    c.close()
    return r.status, r.getheader("Link"), body


def emulator(moto, extra):
    port = benchlib.free_port()
    env = benchlib.api_env(moto, list_scale.TABLE, list_scale.BUCKET, dict({"METRICS_PORT": "0"}, **extra))
    benchlib.spawn(["dotnet", str(EMULATOR), "--function", str(FUNCTION), "--port", str(port)], env=env,
                   log=str(benchlib.WORK / "lambda-large-list.log"))
    deadline = time.time() + 60
    while True:
        try:
            if get(port, "/health/live")[0] == 200:
                return port
        except OSError:
            pass
        if time.time() > deadline:
            raise SystemExit("the emulator did not answer within 60 s")
        time.sleep(0.2)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--users", type=int, default=60_000)
    args = ap.parse_args()
    moto = list_scale.ScanStub()
    moto.users = args.users

    port = emulator(moto, {})
    t = time.time()
    status, link, body = get(port, "/users")
    first = len(json.loads(body)) if status == 200 else None
    print(f"bounded (default LIST_MAX_RESPONSE_BYTES on Lambda): first GET /users -> {status}, {first} users, "
          f"{len(body):,} bytes, Link: {link}, {time.time() - t:.1f} s")
    if status != 200 or not link or first is None or first >= args.users:
        raise SystemExit("FAILED: expected a 200 with part of the list and a Link to the rest")
    seen = [u["email"] for u in json.loads(body)]
    pages = 1
    while link:
        path = re.match(r"<([^>]+)>", link).group(1)
        status, link, body = get(port, path)
        if status != 200:
            raise SystemExit(f"FAILED: {path} -> {status}")
        seen += [u["email"] for u in json.loads(body)]
        pages += 1
    unique = len(set(seen))
    print(f"following Link: {pages} responses, {len(seen):,} users listed, {unique:,} distinct")
    if len(seen) != args.users or unique != args.users:
        raise SystemExit("FAILED: every user must be listed exactly once")

    port = emulator(moto, {"LIST_MAX_RESPONSE_BYTES": "0"})
    status, link, body = get(port, "/users")
    print(f"unbounded (LIST_MAX_RESPONSE_BYTES=0): GET /users -> {status} ({body[:120]!r})")
    if status == 200:
        raise SystemExit("FAILED: an unbounded list this large should not fit a Lambda response")
    print("ok")


if __name__ == "__main__":
    main()
