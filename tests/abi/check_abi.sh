#!/bin/sh
# The ABI of the library just built, compared with the committed baseline.
#
#   check_abi.sh check  ABIDW ABIDIFF BASELINE LIBRARY HEADERS_DIR OUTPUT
#   check_abi.sh update ABIDW ABIDIFF BASELINE LIBRARY HEADERS_DIR OUTPUT
#
# Both sides go through the same abidw options (written once, below) and are
# compared as XML: abidiff applied to a baseline without source locations and
# a library with them treats the public types as private and hides changes.
#
# `check` fails on any difference.  An incompatible change breaks programs
# linked against libpmq.so.1; a compatible one (a new function) must be
# recorded in the baseline, or removing it again later would go unnoticed.
# Note that abidiff calls a grown public struct only "changed" (exit bit 4),
# though the library then writes past the caller's smaller struct.
# ABIDW or ABIDIFF is empty when meson did not find it: the test skips (77).
set -u

mode=$1 abidw=$2 abidiff=$3 baseline=$4 library=$5 headers=$6 output=$7

if [ -z "$abidw" ] || [ -z "$abidiff" ]; then
  echo "SKIP: abidw/abidiff not found; install the Debian package abigail-tools to check the ABI."
  exit 77
fi
if ! LC_ALL=C readelf --section-headers "$library" | grep -q '\.debug_info'; then
  echo "SKIP: $library has no debug information (built without -g), so its types"
  echo "cannot be compared; configure with the default buildtype (debugoptimized)."
  exit 77
fi

# Only what pmq_* functions reach, from the public headers; no paths or source
# locations, so the file depends on neither the build directory nor line numbers.
"$abidw" --exported-interfaces-only --headers-dir "$headers" --drop-private-types \
  --no-corpus-path --no-comp-dir-path --no-show-locs \
  --out-file "$output" "$library" || {
  echo "FAIL: abidw could not read $library."
  exit 1
}

if [ "$mode" = update ]; then
  cp "$output" "$baseline" && echo "Wrote $baseline from $library."
  exit
fi

# abidiff's exit status is a bit mask: 1 error, 2 usage error,
# 4 ABI change, 8 incompatible ABI change.
"$abidiff" --harmless "$baseline" "$output"
status=$?

if [ "$status" -eq 0 ]; then
  echo "ABI of $library matches $baseline."
  exit 0
fi
if [ $((status & 3)) -ne 0 ]; then
  echo "FAIL: abidiff could not compare $baseline with $output (exit status $status)."
elif [ $((status & 8)) -ne 0 ]; then
  echo "FAIL: INCOMPATIBLE ABI change (above): programs built against libpmq.so.1 would break."
  echo "Undo it: a released function never disappears or changes its signature."
else
  echo "FAIL: the ABI changed (above) and the baseline does not record it."
  echo "A public struct, enum or signature that changed breaks callers: undo it."
  echo "A new function is fine in a new version node: follow docs/ABI.md, which"
  echo "updates the map, the symbols file and this baseline."
fi
exit 1
