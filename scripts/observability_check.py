#!/usr/bin/env python3
"""Helpers of scripts/test-observability.sh.

traffic:  drives the running API through every registration outcome, errors included (before and after the bucket
          exists), plus unknown paths.
evaluate: through Prometheus' HTTP API, waits until the rules are evaluated, then requires every recording rule of the
          chart's rules file and every query of the chart's Grafana dashboard to return data. Every wait is bounded.
"""
import argparse
import base64
import json
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

import yaml

# A complete 1×1 PNG: the service follows an avatar's chunks to strip its metadata and refuses one it cannot follow.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


def request(method, url, body=None, headers=None, timeout=30):
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def multipart(fields, avatar, content_type="image/png"):
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="avatar"; filename="a"\r\n'
                 f'Content-Type: {content_type}\r\n\r\n'.encode() + avatar + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), {"Content-Type": f"multipart/form-data; boundary={boundary}"}


def register(api, email, avatar=PNG, name="Observed User"):
    body, headers = multipart({"name": name, "email": email}, avatar)
    return request("POST", f"{api}/user", body, headers)[0]


def expect(label, got, wanted):
    if got != wanted:
        sys.exit(f"{label}: status {got}, expected {wanted}")


def traffic(args):
    api = args.api
    run = uuid.uuid4().hex[:8]
    # Without the bucket: registrations fail (503), listing works, readiness fails. Prometheus must see the 503 series
    # before the rest of them: a counter's first sample is its baseline, so increases before it are invisible to rate().
    expect("POST /user without bucket", register(api, f"down-{run}-first@example.com"), 503)
    wait_for("Prometheus to scrape the first 503", lambda: query(
        args.prometheus, 'http_server_request_duration_seconds_count{http_route="/user", http_response_status_code="503"}'), 60)
    for i in range(5):
        expect("GET /users", request("GET", f"{api}/users")[0], 200)
        expect("POST /user without bucket", register(api, f"down-{run}-{i}@example.com"), 503)
    expect("GET /health/ready without bucket", request("GET", f"{api}/health/ready")[0], 503)
    for i in range(20):
        expect("unknown path", request("GET", f"{api}/no/such/{uuid.uuid4().hex}")[0], 404)

    subprocess.run(["aws", "--endpoint-url", args.s3, "s3", "mb", "s3://users-avatars"], check=True, stdout=subprocess.DEVNULL)

    for i in range(5):
        expect("POST /user", register(api, f"ok-{run}-{i}@example.com"), 201)
        expect("GET /users", request("GET", f"{api}/users")[0], 200)
    expect("duplicate", register(api, f"ok-{run}-0@example.com"), 409)
    expect("invalid e-mail", register(api, "not-an-email"), 400)
    expect("unsupported avatar", register(api, f"svg-{run}@example.com", b"<svg xmlns='http://www.w3.org/2000/svg'/>"), 415)
    expect("too large", register(api, f"big-{run}@example.com", PNG + bytes(4096)), 413)
    expect("not multipart", request("POST", f"{api}/user", b"{}", {"Content-Type": "application/json"})[0], 415)
    expect("bad limit", request("GET", f"{api}/users?limit=abc")[0], 400)
    print("traffic: done")


def query(prometheus, expr):
    url = f"{prometheus}/api/v1/query?" + urllib.parse.urlencode({"query": expr})
    status, body = request("GET", url)
    payload = json.loads(body)
    if status != 200 or payload.get("status") != "success":
        raise ValueError(f"{expr}: {payload.get('errorType')}: {payload.get('error')}")
    return payload["data"]["result"]


def wait_for(what, check, seconds):
    deadline = time.monotonic() + seconds
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            sys.exit(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.5)


def dashboard_queries(path):
    dashboard = json.load(open(path, encoding="utf-8"))
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            # Grafana's variables as Grafana would expand them for "All" namespaces.
            expr = target["expr"].replace("$namespace", ".*").replace("$__rate_interval", "1m")
            yield f'{panel["title"]} [{target["refId"]}]', expr


def evaluate(args):
    prometheus = args.prometheus
    # The last of the traffic has been scraped once this outcome shows.
    wait_for("the scrape of the last request", lambda: query(prometheus, 'users_registrations_total{outcome="unsupported_media"}'), 60)

    def rules_healthy():
        groups = json.loads(request("GET", f"{prometheus}/api/v1/rules")[1])["data"]["groups"]
        rules = [r for g in groups for r in g["rules"]]
        bad = [r for r in rules if r.get("health") == "err"]
        if bad:
            sys.exit("rules in error: " + "; ".join(f'{r["name"]}: {r.get("lastError")}' for r in bad))
        return rules and all(r.get("health") == "ok" for r in rules)
    wait_for("every rule to be evaluated", rules_healthy, 60)

    rules = yaml.safe_load(open(args.rules, encoding="utf-8"))
    records = [r["record"] for g in rules["groups"] for r in g["rules"] if "record" in r]
    checks = [(f"recording rule {name}", name) for name in records] + list(dashboard_queries(args.dashboard))
    failures = []
    deadline = time.monotonic() + 60
    for label, expr in checks:
        while True:
            try:
                result = query(prometheus, expr)
            except ValueError as error:
                failures.append(f"{label}: {error}")
                break
            if result:
                break
            if time.monotonic() > deadline:
                failures.append(f"{label}: no data for {expr}")
                break
            time.sleep(0.5)

    # The errors of the traffic are visible where the SLO and the alerts look.
    errors = query(prometheus, "users_api:sli_server_errors:rate5m > 0")
    if not errors:
        failures.append("the 503s of the traffic are not in users_api:sli_server_errors:rate5m")
    failing_calls = query(prometheus, 'users_dependency_calls_total{dependency="S3", operation="PutObject", outcome!="ok"}')
    if not failing_calls:
        failures.append("the failed S3 PutObject calls are not in users_dependency_calls_total")
    unmatched = query(prometheus, 'count(http_server_request_duration_seconds_count{job="users-api", http_response_status_code="404"})')
    if not unmatched or unmatched[0]["value"][1] != "1":
        failures.append(f"20 unknown paths should share one 404 series, got {unmatched}")

    if failures:
        sys.exit("observability check failed:\n  " + "\n  ".join(failures))
    print(f"evaluate: {len(records)} recording rules and {len(checks) - len(records)} dashboard queries return data")


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    t = commands.add_parser("traffic")
    t.add_argument("--api", required=True)
    t.add_argument("--s3", required=True)
    t.add_argument("--prometheus", required=True)
    e = commands.add_parser("evaluate")
    e.add_argument("--prometheus", required=True)
    e.add_argument("--rules", required=True)
    e.add_argument("--dashboard", required=True)
    args = parser.parse_args()
    {"traffic": traffic, "evaluate": evaluate}[args.command](args)


if __name__ == "__main__":
    main()
