#!/bin/sh
# The default mode (0600) and PMQ_EACCES, with two users: root creates the
# queues, the unprivileged user 65534 (setpriv) tries to use them.  Needs
# root and setpriv; skipped (exit 77) without them.  Runs in a private IPC
# namespace when it can.
# Usage: permissions.sh CSI
set -eu
csi=$1
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" -ne 0 ] || ! command -v setpriv >/dev/null; then
    echo "skipped: needs root and setpriv to act as a second user"
    exit 77
fi
# User 65534 must reach this test and the egg built for it: not so when the
# checkout lies under a directory only root may enter (such as /root).
if ! setpriv --reuid=65534 --regid=65534 --clear-groups sh -c \
        "test -r '$here/permissions.scm'" 2>/dev/null ||
   ! setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$csi" -e '(import posix-mq)' >/dev/null 2>&1; then
    echo "skipped: user 65534 cannot read the test or the egg (is the checkout under a 0700 directory?)"
    exit 77
fi
if [ "${PERMISSIONS_ISOLATED:-}" != yes ]; then
    PERMISSIONS_ISOLATED=yes exec "$here/run-isolated.sh" "$0" "$@"
fi
name=/pmqtest-chicken-permissions-$$
umask 000   # so that mode: #o666 is what the queue gets
status=0
"$csi" -s "$here/permissions.scm" owner "$name" || status=1
if [ "$status" -eq 0 ]; then
    setpriv --reuid=65534 --regid=65534 --clear-groups \
        "$csi" -s "$here/permissions.scm" other "$name" || status=1
fi
"$csi" -s "$here/permissions.scm" check "$name" || status=1
exit "$status"
