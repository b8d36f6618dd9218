#!/usr/bin/env python3
"""Are two photographs the same person? libfacekit.so from Python ctypes (see facekit.py).

    make native
    python3 examples/native/facekit_verify.py a.jpg b.jpg            # library from bin/native
    python3 examples/native/facekit_verify.py --json --lib path/to/libfacekit.so --models DIR a.jpg b.jpg

Exit status: 0 same person, 1 different, 2 bad input, 3 other failure (as the facekit CLI).
"""
import argparse
import json
import os
import sys

sys.dont_write_bytecode = True  # leave no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from facekit import FaceKit, FaceKitError  # noqa: E402

BAD_INPUT = {1, 3, 4, 5, 6, 7}  # invalid argument, bad image, no face, bad template, version, model mismatch


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("image_a")
    ap.add_argument("image_b")
    ap.add_argument("--lib", default=os.path.join(here, "..", "..", "bin", "native", "libfacekit.so"))
    ap.add_argument("--models", default="~/.cache/facekit/models")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    try:
        with FaceKit(args.lib, args.models) as fk:
            with open(args.image_a, "rb") as f:
                a, eyes_a = fk.template(f.read())
            with open(args.image_b, "rb") as f:
                b, eyes_b = fk.template(f.read())
            s = fk.match(a, b)
            same = s >= fk.threshold
    except FaceKitError as e:
        print(e, file=sys.stderr)
        return 2 if e.status in BAD_INPUT else 3
    except OSError as e:
        print(e, file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps({"similarity": s, "same": same, "threshold": fk.threshold, "eyes": [eyes_a, eyes_b]}))
    else:
        print(f"similarity {s:.4f} (threshold {fk.threshold:.2f}): {'same person' if same else 'different people'}")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
