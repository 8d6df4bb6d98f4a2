#!/usr/bin/env python3
"""Writes a float weight file for tinytransfer-peer with random weights.

The file has the format that the peer reads (see peer/README.md): the 8-byte header
b"TTF32\\x00\\x01\\x00", then the network's f32 arrays, little-endian, in burn's layouts.
The weights are Glorot-uniform and the biases small and uniform, from a fixed seed, so the
logits spread over all five classes. Use it until the host exports the trained network.

Usage: python3 tools/random-weights.py [FILE] [--seed N]   (FILE defaults to
target/random-float-weights.bin in this crate: never beside the trained blobs)
"""

import argparse
import math
import random
import struct
from pathlib import Path

HEADER = b"TTF32\x00\x01\x00"

# (name, shape, fan_in, fan_out): burn's layouts, in file order.
ARRAYS = [
    ("conv1.weight", (32, 1, 3, 3), 1 * 9, 32 * 9),
    ("conv1.bias", (32,), None, None),
    ("conv2.weight", (32, 32, 3, 3), 32 * 9, 32 * 9),
    ("conv2.bias", (32,), None, None),
    ("dense1.weight", (4608, 128), 4608, 128),
    ("dense1.bias", (128,), None, None),
    ("dense2.weight", (128, 5), 128, 5),
    ("dense2.bias", (5,), None, None),
]
FLOATS = 600_165


def main():
    crate = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("file", nargs="?", default=crate / "target" / "random-float-weights.bin")
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()

    rng = random.Random(args.seed)
    values = []
    for _name, shape, fan_in, fan_out in ARRAYS:
        count = math.prod(shape)
        if fan_in is None:
            limit = 0.05
        else:
            limit = math.sqrt(6.0 / (fan_in + fan_out))
        values.extend(rng.uniform(-limit, limit) for _ in range(count))
    assert len(values) == FLOATS, len(values)

    path = Path(args.file)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(HEADER + struct.pack(f"<{len(values)}f", *values))
    print(f"wrote {path} ({len(HEADER) + 4 * len(values)} bytes, random weights, seed {args.seed})")


if __name__ == "__main__":
    main()
