#!/usr/bin/env bash
# Cargo runner for the QEMU board: runs the firmware ELF on qemu-system-arm's mps2-an386 and
# decodes its defmt log on the terminal, through the harness's `tinytransfer-qemu` (tests/).
# The exit status is the firmware's (see README.md); TINYTRANSFER_QEMU_TIMEOUT=SECONDS stops a
# run that takes longer.
set -euo pipefail

elf="$(realpath "$1")"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Built from the repository's root so that the firmware's .cargo/config.toml (Cortex-M target)
# does not apply to this host tool.
cd "$repo"
exec cargo run --quiet -p tinytransfer-tests --bin tinytransfer-qemu -- "$elf"
