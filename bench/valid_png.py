"""A complete, valid PNG for the benchmarks' POST /user, and ../shared/bench's run.py made to send it.

../shared/bench/benchlib.py's PNG has a wrong IDAT length (it runs two bytes into IEND); the service's avatar metadata
stripper registers it but stores a repaired copy (the tail after the image data dropped, IEND added), work the peer does
not do, so a benchmark sending it would not compare like with like. ../shared cannot be edited: run.py reads the module-level PNG of its own namespace when it writes its
wrk script and its warm-up requests, so `patch(run)` replaces it there with VALID_PNG (also 1x1 RGBA, 68 bytes).

    python3 bench/valid_png.py RUN.PY-ARGS...   runs ../shared/bench/run.py's main() with the valid PNG
"""
import os, struct, sys, zlib


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


VALID_PNG = (b"\x89PNG\r\n\x1a\n"
             + _chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0))
             + _chunk(b"IDAT", zlib.compress(b"\x00\x00\x00\x00\x00"))  # filter byte 0, one transparent pixel
             + _chunk(b"IEND", b""))


def patch(run_module):
    run_module.PNG = VALID_PNG
    return run_module


if __name__ == "__main__":
    shared = os.environ.get("BENCH_SHARED", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shared", "bench"))
    sys.path.insert(0, os.path.abspath(shared))
    import run  # noqa: E402  (../shared/bench/run.py)
    patch(run).main()
