#!/usr/bin/env python3
"""The observability step's checks: scripts/test-observability.sh starts the service, moto_server and Prometheus, then
runs this. Each check is a test case of the JUnit XML file it writes (--junit; make test counts it through
tools/Users.ResultCheck); it exits 1 when any fails.

promtool:  checks and unit-tests the chart's rules (each SLO alert fires at its burn rate and stays quiet below it).
traffic:   drives the running API through every registration outcome, errors included (before and after the bucket
           exists), plus unknown paths.
evaluate:  through Prometheus' HTTP API, waits until the rules are evaluated, then requires every recording rule of the
           chart's rules file and every query of the chart's Grafana dashboard to return data, and the traffic's errors
           to be where the SLO and the alerts look. Every wait is bounded.
Also serves the stand-in for kube-state-metrics that Prometheus scrapes (--ksm-port): its series for the pod and HPA
panels, in its format.
"""
import argparse
import base64
import http.server
import json
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
import xml.etree.ElementTree as ET

import yaml

# A complete 1×1 PNG: the service follows an avatar's chunks to strip its metadata and refuses one it cannot follow.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

# kube-state-metrics is not here: its series for the pod and HPA panels, as it would expose them.
KSM = b"""# TYPE kube_pod_container_status_ready gauge
kube_pod_container_status_ready{namespace="apps",pod="users-users-api-0",container="users-api"} 1
# TYPE kube_pod_container_status_restarts_total counter
kube_pod_container_status_restarts_total{namespace="apps",pod="users-users-api-0",container="users-api"} 0
# TYPE kube_horizontalpodautoscaler_status_current_replicas gauge
kube_horizontalpodautoscaler_status_current_replicas{namespace="apps",horizontalpodautoscaler="users-users-api"} 2
# TYPE kube_horizontalpodautoscaler_spec_max_replicas gauge
kube_horizontalpodautoscaler_spec_max_replicas{namespace="apps",horizontalpodautoscaler="users-users-api"} 10
"""


class Failure(Exception):
    """A check that does not hold: its test case fails with this message."""


class Cases:
    """The test cases run so far, printed as they end and written as JUnit XML."""

    def __init__(self):
        self.cases = []

    def run(self, classname, name, check):
        start = time.monotonic()
        try:
            check()
            failure = None
        except Failure as error:
            failure = str(error)
        except Exception as error:  # a query Prometheus refused, a request that failed: the case fails, the rest run
            failure = f"{type(error).__name__}: {error}"
        self.cases.append((classname, name, time.monotonic() - start, failure))
        print(f"  {'ok  ' if failure is None else 'FAIL'} {classname}: {name}" + (f": {failure}" if failure else ""), flush=True)

    def write(self, path):
        failed = sum(1 for case in self.cases if case[3] is not None)
        suite = ET.Element("testsuite", name="observability", tests=str(len(self.cases)), failures=str(failed))
        for classname, name, seconds, failure in self.cases:
            case = ET.SubElement(suite, "testcase", classname=classname, name=name, time=f"{seconds:.3f}")
            if failure is not None:
                ET.SubElement(case, "failure", message=failure.splitlines()[0] if failure else "failed").text = failure
        ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)
        return failed


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
        raise Failure(f"{label}: status {got}, expected {wanted}")


def promtool(cases, args):
    for name, command in [("check rules", ["promtool", "check", "rules", args.rules]),
                          ("test rules", ["promtool", "test", "rules", args.rules_test])]:
        def check(command=command):
            result = subprocess.run(command, capture_output=True, text=True)
            print(result.stdout + result.stderr, end="")
            if result.returncode != 0:
                raise Failure(f"{' '.join(command)} exited {result.returncode}:\n{result.stdout}{result.stderr}")
        cases.run("promtool", f"promtool {name}", check)


def traffic(cases, args):
    api = args.api
    run = uuid.uuid4().hex[:8]
    cases.run("traffic", "without the bucket: registrations 503, listing 200, readiness 503, unknown paths 404",
              lambda: traffic_without_bucket(args, api, run))
    cases.run("traffic", "with the bucket: 201, 409, 400, 415 (SVG), 413, 415 (not multipart), 400 (bad limit)",
              lambda: traffic_with_bucket(args, api, run))


def traffic_without_bucket(args, api, run):
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


def traffic_with_bucket(args, api, run):
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
            raise Failure(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.5)


def dashboard_queries(path):
    dashboard = json.load(open(path, encoding="utf-8"))
    for panel in dashboard["panels"]:
        for target in panel.get("targets", []):
            # Grafana's variables as Grafana would expand them for "All" namespaces.
            expr = target["expr"].replace("$namespace", ".*").replace("$__rate_interval", "1m")
            yield f'{panel["title"]} [{target["refId"]}]', expr


def evaluate(cases, args):
    prometheus = args.prometheus

    def scraped():
        # The last of the traffic has been scraped once this outcome shows.
        wait_for("the scrape of the last request", lambda: query(prometheus, 'users_registrations_total{outcome="unsupported_media"}'), 60)

        def rules_healthy():
            groups = json.loads(request("GET", f"{prometheus}/api/v1/rules")[1])["data"]["groups"]
            rules = [r for g in groups for r in g["rules"]]
            bad = [r for r in rules if r.get("health") == "err"]
            if bad:
                raise Failure("rules in error: " + "; ".join(f'{r["name"]}: {r.get("lastError")}' for r in bad))
            return rules and all(r.get("health") == "ok" for r in rules)
        wait_for("every rule to be evaluated", rules_healthy, 60)
    cases.run("prometheus", "the traffic is scraped and every rule evaluated without error", scraped)

    rules = yaml.safe_load(open(args.rules, encoding="utf-8"))
    records = [("recording rule", name, name) for g in rules["groups"] for r in g["rules"] if "record" in r for name in [r["record"]]]
    deadline = time.monotonic() + 60  # one minute for all of them to return data
    for classname, label, expr in records + [("dashboard", label, expr) for label, expr in dashboard_queries(args.dashboard)]:
        def returns_data(expr=expr):
            while not query(prometheus, expr):
                if time.monotonic() > deadline:
                    raise Failure(f"no data for {expr}")
                time.sleep(0.5)
        cases.run(classname, label, returns_data)

    # The errors of the traffic are visible where the SLO and the alerts look.
    def present(expr, message):
        if not query(prometheus, expr):
            raise Failure(message)

    def one_404_series():
        unmatched = query(prometheus, 'count(http_server_request_duration_seconds_count{job="users-api", http_response_status_code="404"})')
        if not unmatched or unmatched[0]["value"][1] != "1":
            raise Failure(f"20 unknown paths should share one 404 series, got {unmatched}")
    cases.run("slo", "the 503s of the traffic are in users_api:sli_server_errors:rate5m", lambda: present(
        "users_api:sli_server_errors:rate5m > 0", "the 503s of the traffic are not in users_api:sli_server_errors:rate5m"))
    cases.run("slo", "the failed S3 PutObject calls are in users_dependency_calls_total", lambda: present(
        'users_dependency_calls_total{dependency="S3", operation="PutObject", outcome!="ok"}',
        "the failed S3 PutObject calls are not in users_dependency_calls_total"))
    cases.run("slo", "20 unknown paths share one 404 series", one_404_series)


def serve_ksm(port):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200 if self.path == "/metrics" else 404)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(KSM if self.path == "/metrics" else b"")

        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    for name in ["api", "s3", "prometheus", "ksm-port", "rules", "rules-test", "dashboard", "junit"]:
        parser.add_argument(f"--{name}", required=True)
    args = parser.parse_args()
    server = serve_ksm(int(args.ksm_port))
    cases = Cases()
    try:
        promtool(cases, args)
        traffic(cases, args)
        evaluate(cases, args)
    finally:
        server.shutdown()
    failed = cases.write(args.junit)
    print(f"observability: {len(cases.cases) - failed} of {len(cases.cases)} checks passed ({args.junit})")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
