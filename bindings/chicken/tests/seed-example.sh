#!/bin/sh
# Runs the seed's example (seed-example.scm) with csi and compares what it
# prints with what the seed documents.  The example picks its queue name from
# only 100 ("/mqtest0".."/mqtest99"), so it runs in a private IPC namespace
# when it can, where no other run can share the name.
# Usage: seed-example.sh CSI
set -eu
csi=$1
here=$(dirname "$0")
actual=$("$here/run-isolated.sh" "$csi" -s "$here/seed-example.scm")
expected='#t
sending #${48656c6c6f2c20776f726c6421}
received #${48656c6c6f2c20776f726c6421}'
if [ "$actual" != "$expected" ]; then
    echo "The seed's example printed:"
    echo "$actual"
    echo "but should print:"
    echo "$expected"
    exit 1
fi
echo "$actual"
echo "ok: the seed's example prints #t and receives the blob it sent"
