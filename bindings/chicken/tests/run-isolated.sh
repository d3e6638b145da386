#!/bin/sh
# Runs a command in a private IPC namespace when this machine allows it (as
# root), so that a test that dies half-way leaves no queue in the host's
# namespace; otherwise runs it as it is (the tests unlink what they create).
# Usage: run-isolated.sh COMMAND [ARG...]
if unshare --ipc true 2>/dev/null; then
    exec unshare --ipc "$@"
fi
exec "$@"
