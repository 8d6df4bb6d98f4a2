#!/usr/bin/env bash
# The main job, end to end, on a fresh machine: set up (Cortex-M target, QEMU, MNIST), train
# both phases with the reference recipe (5 + 5 epochs, about 8 minutes on two cores), quantise
# and export the int8 blobs, build the firmware with them, run every 5–9 test digit through it
# under QEMU, and print float, host int8 and device accuracy side by side.
#
# Usage: scripts/main-job.sh [OUT_DIR]   (default runs/main; extra `train` flags via TRAIN_ARGS)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
out="${1:-runs/main}"

scripts/setup.sh

echo "== training both phases, quantising, exporting into $out"
# shellcheck disable=SC2086 # TRAIN_ARGS is a list of flags
cargo run --release --locked -p tinytransfer-host -- train --data-dir data/mnist --out "$out" \
    ${TRAIN_ARGS:-}

echo "== the firmware on QEMU (mps2-an386, Cortex-M4F): all 4 861 test digits 5-9"
cargo run --release --locked -p tinytransfer-tests --bin tinytransfer-acceptance -- \
    --blobs "$out" --report "$out/report.json"
