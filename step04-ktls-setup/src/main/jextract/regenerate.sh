#!/usr/bin/env bash
# Regenerates the FFM bindings in dev.ktlsuring.ktls.abi from this machine's C headers.
# Needs jextract (https://github.com/openjdk/jextract, built for JDK 22+) on PATH or in $JEXTRACT.
# The generated files are committed and never edited by hand; KtlsAbiTest checks them against gcc.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out="$here/../java"
jextract=${JEXTRACT:-jextract}
command -v "$jextract" >/dev/null || { echo "regenerate.sh: jextract not found (set JEXTRACT=/path/to/bin/jextract)" >&2; exit 1; }

rm -rf "$out/dev/ktlsuring/ktls/abi"
"$jextract" --output "$out" @"$here/tls.args" "$here/tls.h"
echo "regenerated $(ls "$out/dev/ktlsuring/ktls/abi" | wc -l) files in $out/dev/ktlsuring/ktls/abi"
