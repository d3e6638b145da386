#!/bin/sh
# chicken-install's custom build step for the posix-mq extension: csc with
# the arguments chicken-install gives, plus where libpmq is, from pkg-config
# (set PKG_CONFIG_PATH to use a libpmq that is not installed system-wide).
set -e
cflags=$(pkg-config --cflags pmq)
libs=$(pkg-config --libs pmq)
exec "${CHICKEN_CSC:-csc}" "$@" -C "$cflags" -L "$libs"
