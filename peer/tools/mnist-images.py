#!/usr/bin/env python3
"""Writes the images file that tinytransfer-peer (and the firmware's harness mode) classify.

Records of 785 bytes, `[label][784 pixels]`, row-major as in MNIST: the first COUNT test images
of digits 5-9, in the order of the MNIST test set (the order of tinytransfer-tests'
`test_digits_5_to_9`, so the first COUNT answers line up with the firmware's).

Usage: python3 tools/mnist-images.py [--count N] [--mnist DIR] [--out FILE]
DIR defaults to $TINYTRANSFER_MNIST_DIR, else ../data/mnist (raw IDX files or their .gz).
FILE defaults to tinytransfer-images.bin in this crate's directory, where `cargo run` reads it.
"""

import argparse
import gzip
import os
import struct
from pathlib import Path

IMAGES = "t10k-images-idx3-ubyte"
LABELS = "t10k-labels-idx1-ubyte"
PIXELS = 28 * 28


def read_idx(directory, name):
    raw = directory / name
    zipped = directory / f"{name}.gz"
    if raw.is_file():
        data = raw.read_bytes()
    elif zipped.is_file():
        data = gzip.decompress(zipped.read_bytes())
    else:
        raise SystemExit(f"no {name} (nor .gz) in {directory}: run scripts/fetch-mnist.sh")
    zeros, kind, rank = struct.unpack(">HBB", data[:4])
    if zeros != 0 or kind != 0x08:
        raise SystemExit(f"{name} is not an IDX file of unsigned bytes")
    dims = struct.unpack(f">{rank}I", data[4 : 4 + 4 * rank])
    return dims, data[4 + 4 * rank :]


def main():
    crate = Path(__file__).resolve().parent.parent
    default_mnist = os.environ.get("TINYTRANSFER_MNIST_DIR", crate.parent / "data" / "mnist")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--mnist", type=Path, default=Path(default_mnist))
    parser.add_argument("--out", type=Path, default=crate / "tinytransfer-images.bin")
    args = parser.parse_args()

    (image_count, rows, cols), pixels = read_idx(args.mnist, IMAGES)
    (label_count,), labels = read_idx(args.mnist, LABELS)
    if (rows, cols) != (28, 28) or image_count != label_count:
        raise SystemExit("the MNIST test files disagree with each other or with 28x28")

    records = bytearray()
    written = 0
    for n in range(image_count):
        if written == args.count:
            break
        if labels[n] >= 5:
            records.append(labels[n])
            records += pixels[n * PIXELS : (n + 1) * PIXELS]
            written += 1

    args.out.write_bytes(records)
    print(f"wrote {args.out}: {written} test images of digits 5-9")


if __name__ == "__main__":
    main()
