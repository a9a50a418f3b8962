#!/usr/bin/env bash
# Regenerates the FFM bindings in dev.ktlsuring.uring.abi from this machine's C headers.
# Needs jextract (https://github.com/openjdk/jextract, built for JDK 22+) on PATH or in $JEXTRACT.
# The generated files are committed and never edited by hand; AbiLayoutTest checks them against gcc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../java"
jextract=${JEXTRACT:-jextract}
command -v "$jextract" >/dev/null || { echo "regenerate.sh: jextract not found (set JEXTRACT=/path/to/bin/jextract)" >&2; exit 1; }

rm -rf "$out/dev/ktlsuring/uring/abi"
"$jextract" --output "$out" @"$here/io_uring.args" /usr/include/linux/io_uring.h
"$jextract" --output "$out" @"$here/socket.args" "$here/socket.h"
echo "regenerated $(ls "$out/dev/ktlsuring/uring/abi" | wc -l) files in $out/dev/ktlsuring/uring/abi"
