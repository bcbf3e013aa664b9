#!/usr/bin/env bash
# Fetch axe-core (the accessibility checker the browser tests inject into each page)
# from the npm registry into tests/browser/.cache/, checking the pinned sha512.
# Usage: scripts/fetch_axe.sh   (does nothing when the right file is already there)
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=4.10.3
# npm view axe-core@$VERSION dist.integrity
INTEGRITY=sha512-Xm7bpRXnDSX2YE2YFfBk2FnF0ep6tmG7xPh8iHee8MIcrgq762Nkce856dYtJYLkuIoYZvGfTs/PbZhideTcEg==
CACHE=tests/browser/.cache
TARGET="$CACHE/axe-$VERSION.min.js"

[ -s "$TARGET" ] && exit 0
command -v npm >/dev/null || { echo "fetch_axe: npm is missing (apt-get install npm)" >&2; exit 1; }
mkdir -p "$CACHE"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "axe-core@$VERSION" >/dev/null)
tarball="$work/axe-core-$VERSION.tgz"
actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
if [ "$actual" != "$INTEGRITY" ]; then
  echo "fetch_axe: axe-core-$VERSION.tgz has $actual, expected $INTEGRITY" >&2
  exit 1
fi
tar -xzf "$tarball" -C "$work" package/axe.min.js
mv "$work/package/axe.min.js" "$TARGET.part"
mv "$TARGET.part" "$TARGET"
echo "fetch_axe: $TARGET"
