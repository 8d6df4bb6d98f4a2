#!/usr/bin/env bash
# Cargo runner: runs the peer's ELF on qemu-system-arm's mps2-an386 with `-icount shift=0`, so
# that one instruction is one virtual nanosecond and SysTick counts instructions (see README.md).
# Semihosting files are read and written in the current directory; the peer prints plain text.
# The exit status is the peer's; TINYTRANSFER_QEMU_TIMEOUT=SECONDS stops a longer run (124).
set -euo pipefail

elf="$1"
command=(qemu-system-arm -M mps2-an386 -nographic -monitor none -serial none
    -icount shift=0 -semihosting-config enable=on,target=native -kernel "$elf")

if [[ -n "${TINYTRANSFER_QEMU_TIMEOUT:-}" ]]; then
    exec timeout "$TINYTRANSFER_QEMU_TIMEOUT" "${command[@]}"
fi
exec "${command[@]}"
