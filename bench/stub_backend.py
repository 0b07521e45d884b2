#!/usr/bin/env python3
"""A backend that costs (almost) nothing: canned, valid DynamoDB and S3 answers over keep-alive HTTP/1.1.

    python3 bench/stub_backend.py --port PORT [--users 100]

Used by bench/saturation.py so that the server under test, not the emulator, is the bottleneck. Loopback only.
It answers, as one AWS endpoint (AWS_ENDPOINT_URL, S3 path-style), the calls the service and the Python peer make:
  DynamoDB (POST /, X-Amz-Target: DynamoDB_20120810.<Op>): Scan (one page of --users items), PutItem ({}),
    GetItem (one item), DescribeTable (an ACTIVE table keyed by email);
  S3: PUT /bucket/key (PutObject: 200 with an ETag), DELETE /bucket/key (204), HEAD /bucket (200).
GET /__stub/counts answers the DynamoDB calls answered so far, by operation (bench/read_units.py counts Scans).
Anything else is a 400 with a JSON error, so a call the stub does not know shows up as non-2xx in the benchmark.
Nothing is stored. Request bodies are read in full (Content-Length or chunked) and an Expect: 100-continue is
answered at once, as S3 would. Written with asyncio streams of the standard library only: one process, one thread.
"""
import argparse
import asyncio
import json
import signal
import sys

PNG_URL = "http://127.0.0.1/users-avatars/avatars/{:032x}.png"


def _item(i):
    return {"name": {"S": f"Seed User {i}"}, "email": {"S": f"seed{i}@bench.test"},
            "avatar_url": {"S": PNG_URL.format(i)}}


def canned(users):
    scan = json.dumps({"Count": users, "ScannedCount": users, "Items": [_item(i) for i in range(users)]}).encode()
    table = json.dumps({"Table": {
        "TableName": "users", "TableStatus": "ACTIVE", "ItemCount": users, "TableSizeBytes": 0,
        "TableArn": "arn:aws:dynamodb:us-east-1:123456789012:table/users",
        "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "email", "AttributeType": "S"}],
        "BillingModeSummary": {"BillingMode": "PAY_PER_REQUEST"}, "CreationDateTime": 1.7e9}}).encode()
    ddb = {
        "DynamoDB_20120810.Scan": scan,
        "DynamoDB_20120810.PutItem": b"{}",
        "DynamoDB_20120810.GetItem": json.dumps({"Item": _item(0)}).encode(),
        "DynamoDB_20120810.DescribeTable": table,
    }
    return {op: _response(200, "OK", body, b"application/x-amz-json-1.0") for op, body in ddb.items()}


def _response(status, reason, body, ctype=None, extra=b""):
    head = b"HTTP/1.1 %d %s\r\nx-amzn-RequestId: stub\r\nx-amz-request-id: stub\r\n" % (status, reason.encode())
    if ctype:
        head += b"Content-Type: " + ctype + b"\r\n"
    return head + extra + b"Content-Length: %d\r\n\r\n" % len(body) + body


PUT_OK = _response(200, "OK", b"", extra=b'ETag: "9b2cf535f27731c974343645a3985328"\r\n')
DELETE_OK = _response(204, "No Content", b"")
HEAD_OK = _response(200, "OK", b"")
CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


def bad(message):
    body = json.dumps({"__type": "com.amazonaws.stub#UnknownOperation", "message": message}).encode()
    return _response(400, "Bad Request", body, b"application/x-amz-json-1.0")


async def read_body(reader, headers):
    if headers.get(b"transfer-encoding", b"").lower() == b"chunked":
        while True:
            size = int((await reader.readline()).split(b";")[0].strip(), 16)
            if size == 0:
                while (await reader.readline()) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return
            await reader.readexactly(size + 2)
    length = int(headers.get(b"content-length", b"0"))
    if length:
        await reader.readexactly(length)


def serve(ddb):
    counts = {}

    async def handle(reader, writer):
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.split(b"\r\n")
                method, target, _ = lines[0].split(b" ", 2)
                headers = {}
                for line in lines[1:]:
                    if line:
                        k, _, v = line.partition(b":")
                        headers[k.strip().lower()] = v.strip()
                if headers.get(b"expect", b"").lower() == b"100-continue":
                    writer.write(CONTINUE)
                await read_body(reader, headers)
                op = headers.get(b"x-amz-target")
                if op is not None:
                    counts[op.decode()] = counts.get(op.decode(), 0) + 1
                    out = ddb.get(op.decode()) or bad(f"stub does not answer {op.decode()}")
                else:
                    path = target.split(b"?", 1)[0].strip(b"/")
                    has_key = b"/" in path
                    if method == b"PUT" and has_key:
                        out = PUT_OK
                    elif method == b"DELETE" and has_key:
                        out = DELETE_OK
                    elif method == b"HEAD" and path and not has_key:
                        out = HEAD_OK
                    elif method == b"GET" and path == b"__stub/counts":
                        out = _response(200, "OK", json.dumps(counts).encode(), b"application/json")
                    else:
                        out = bad(f"stub does not answer {method.decode()} {target.decode()}")
                if method == b"HEAD":
                    out = out.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                writer.write(out)
                if headers.get(b"connection", b"").lower() == b"close":
                    break
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.LimitOverrunError, ValueError):
            pass
        finally:
            writer.close()

    return handle


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--users", type=int, default=100, help="items in the canned Scan page")
    args = ap.parse_args()
    server = await asyncio.start_server(serve(canned(args.users)), "127.0.0.1", args.port, backlog=1024)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print(f"stub backend on http://127.0.0.1:{args.port} ({args.users} users per Scan)", file=sys.stderr, flush=True)
    async with server:
        await stop.wait()


if __name__ == "__main__":
    asyncio.run(main())
