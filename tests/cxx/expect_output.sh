#!/bin/sh
# expect_output.sh TEXT PROGRAM [ARG...]: runs PROGRAM, and fails unless it
# exits 0 and one line of its output contains TEXT.
text=$1
shift
output=$("$@") || { echo "$1 exited with status $?" >&2; printf '%s\n' "$output"; exit 1; }
printf '%s\n' "$output"
if printf '%s\n' "$output" | grep -qF -- "$text"; then
  exit 0
fi
echo "expected a line containing: $text" >&2
exit 1
