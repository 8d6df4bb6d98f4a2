#!/usr/bin/env python3
"""Checks the peer's answers against an independent float64 computation of the same network,
and, given the firmware's harness results for the same images, how often the two agree.

Reads the weight file the peer was built with (format in peer/README.md), the images file it
classified and its results file; recomputes every image's logits in plain Python (slow: a few
seconds per image) and prints the largest logit difference and the class agreement. With
--firmware, also compares the peer's classes with the int8 firmware's (`tinytransfer-results.bin`
of its harness mode, the same images in the same order).

Usage: python3 tools/check.py WEIGHTS [--images FILE] [--results FILE] [--firmware FILE]
       [--limit N]
"""

import argparse
import struct
from pathlib import Path

HEADER = b"TTF32\x00\x01\x00"
SHAPES = [(32, 1, 3, 3), (32,), (32, 32, 3, 3), (32,), (4608, 128), (128,), (128, 5), (5,)]
PIXELS = 784
CLASSES = 5
PEER_RECORD = 4 * CLASSES + 3
FIRMWARE_RECORD = CLASSES + 3


def read_weights(path):
    data = Path(path).read_bytes()
    if data[:8] != HEADER:
        raise SystemExit(f"{path}: not a version-1 float weight file")
    floats = struct.unpack(f"<{(len(data) - 8) // 4}f", data[8:])
    arrays, at = [], 0
    for shape in SHAPES:
        count = 1
        for side in shape:
            count *= side
        arrays.append(floats[at : at + count])
        at += count
    if at != len(floats):
        raise SystemExit(f"{path}: {len(floats)} floats, expected {at}")
    return arrays


def conv_relu(planes, side, weight, bias, in_channels):
    """Valid 3x3 convolution of `in_channels` planes (lists, row-major) with burn's
    [out, in, 3, 3] weights, then ReLU."""
    out_side = side - 2
    outputs = []
    for oc in range(32):
        acc = [bias[oc]] * (out_side * out_side)
        for ic in range(in_channels):
            plane = planes[ic]
            for ky in range(3):
                for kx in range(3):
                    k = weight[((oc * in_channels + ic) * 3 + ky) * 3 + kx]
                    for oy in range(out_side):
                        row = (oy + ky) * side + kx
                        base = oy * out_side
                        for ox in range(out_side):
                            acc[base + ox] += k * plane[row + ox]
        outputs.append([max(value, 0.0) for value in acc])
    return outputs


def forward(arrays, pixels):
    w1, b1, w2, b2, d1, c1, d2, c2 = arrays
    image = [[pixel / 255.0 for pixel in pixels]]
    conv1 = conv_relu(image, 28, w1, b1, 1)
    conv2 = conv_relu(conv1, 26, w2, b2, 32)
    features = []  # CHW order
    for plane in conv2:
        for py in range(12):
            for px in range(12):
                top = (2 * py) * 24 + 2 * px
                features.append(max(plane[top], plane[top + 1], plane[top + 24], plane[top + 25]))
    hidden = list(c1)
    for i, value in enumerate(features):
        if value != 0.0:
            row = i * 128
            for o in range(128):
                hidden[o] += value * d1[row + o]
    hidden = [max(value, 0.0) for value in hidden]
    logits = list(c2)
    for i, value in enumerate(hidden):
        for o in range(CLASSES):
            logits[o] += value * d2[i * CLASSES + o]
    return logits


def main():
    crate = Path(__file__).resolve().parent.parent
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights")
    parser.add_argument("--images", default=crate / "tinytransfer-images.bin")
    parser.add_argument("--results", default=crate / "tinytransfer-peer-results.bin")
    parser.add_argument("--firmware")
    parser.add_argument("--limit", type=int, default=None)
    args = parser.parse_args()

    arrays = read_weights(args.weights)
    images = Path(args.images).read_bytes()
    results = Path(args.results).read_bytes()
    count = len(results) // PEER_RECORD
    if len(images) < count * (1 + PIXELS):
        raise SystemExit("the results file holds more answers than the images file images")
    checked = count if args.limit is None else min(count, args.limit)

    worst, agree = 0.0, 0
    for n in range(checked):
        record = results[n * PEER_RECORD : (n + 1) * PEER_RECORD]
        peer = struct.unpack("<5f", record[:20])
        pixels = images[n * (1 + PIXELS) + 1 : (n + 1) * (1 + PIXELS)]
        reference = forward(arrays, pixels)
        worst = max(worst, max(abs(a - b) for a, b in zip(peer, reference)))
        agree += record[20] == max(range(CLASSES), key=lambda c: (reference[c], -c))
    print(f"peer vs float64 reference: {agree} of {checked} classes agree, "
          f"largest logit difference {worst:.3g}")

    if args.firmware:
        firmware = Path(args.firmware).read_bytes()
        both = min(count, len(firmware) // FIRMWARE_RECORD)
        same = sum(
            results[n * PEER_RECORD + 20] == firmware[n * FIRMWARE_RECORD + CLASSES]
            for n in range(both)
        )
        print(f"peer (f32) vs firmware (int8): {same} of {both} classes agree "
              f"({100.0 * same / max(both, 1):.2f} %)")


if __name__ == "__main__":
    main()
