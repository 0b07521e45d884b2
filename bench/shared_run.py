#!/usr/bin/env python3
"""../shared/bench/run.py, unchanged, with a complete PNG as the avatar it uploads.

    python3 bench/shared_run.py ../shared/bench [run.py's arguments]

The 1x1 PNG in ../shared/bench/benchlib.py is damaged: its IDAT chunk's deflate stream is cut short (Pillow:
"broken data stream"). The service rewrites every avatar without its metadata (Users.Core's AvatarMetadata) and so
reads the file's structure; it answers 415 to an image no decoder can show, which would turn the bench's
POST /user into a measure of refusals. This runs the same harness with the same 1x1 RGBA image, encoded whole
(Pillow's encoder, 70 bytes), for every server it measures, the peer included, so the figures stay comparable.
"""
import pathlib
import runpy
import sys

COMPLETE_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360606060000000050001a5f64540"
    "0000000049454e44ae426082")

shared = pathlib.Path(sys.argv[1]).resolve()
sys.path.insert(0, str(shared))
import benchlib  # noqa: E402  (run.py imports PNG from it: replaced before run.py runs)

benchlib.PNG = COMPLETE_PNG
sys.argv = [str(shared / "run.py")] + sys.argv[2:]
runpy.run_path(str(shared / "run.py"), run_name="__main__")
