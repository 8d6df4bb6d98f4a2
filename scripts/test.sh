#!/usr/bin/env bash
# Runs every test of tinytransfer: the core's kernels and format, the host's data, training and
# export, and the firmware under QEMU checked bit for bit against the host. Sets up a fresh
# machine first (scripts/setup.sh).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

scripts/setup.sh
cargo test --workspace --locked
