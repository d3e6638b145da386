#!/bin/sh
# Installs the egg the way its users do, with chicken-install run inside a
# copy of bindings/chicken, into a private repository (offline: the egg
# depends on nothing outside core CHICKEN), finding libpmq through
# pkg-config; checks that it calls libpmq and no mq_* function itself; then
# runs the seed's example against that installation.
# Usage: chicken-install.sh EGG_SOURCE_DIR PKG_CONFIG_DIR LIBPMQ_DIR
set -eu
source_dir=$1
pkg_config_dir=$2
libpmq_dir=$3

default_repository=$(env -u CHICKEN_INSTALL_REPOSITORY chicken-install -repository)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/egg"
cp "$source_dir"/posix-mq.egg "$source_dir"/*.scm "$source_dir"/build-posix-mq.sh "$work/egg/"

export PKG_CONFIG_PATH=$pkg_config_dir
export CHICKEN_INSTALL_REPOSITORY=$work/repository
export CHICKEN_REPOSITORY_PATH=$work/repository:$default_repository
export LD_LIBRARY_PATH=$libpmq_dir
(cd "$work/egg" && chicken-install)

for f in posix-mq.so posix-mq.import.so posix-mq.egg-info; do
    if [ ! -f "$work/repository/$f" ]; then
        echo "chicken-install did not install $f into CHICKEN_INSTALL_REPOSITORY"
        exit 1
    fi
done
# The egg talks to queues only through libpmq.
if nm -D --undefined-only "$work/repository/posix-mq.so" | grep -E ' mq_[a-z]+' ; then
    echo "the installed egg calls mq_* functions itself instead of libpmq"
    exit 1
fi
if ! nm -D --undefined-only "$work/repository/posix-mq.so" | grep -q ' pmq_send_to'; then
    echo "the installed egg does not call libpmq's pmq_send_to"
    exit 1
fi
"$source_dir/tests/seed-example.sh" csi
echo "ok: chicken-install built and installed the egg into a private repository"
