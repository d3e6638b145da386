# Shared by the scripts in this folder: the Debian packages each needs, and
# their installation when they are missing.  Source it; do not run it.

# What building and running the whole test suite needs.
PMQ_TEST_PACKAGES=(
  meson ninja-build pkg-config g++ clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  strace valgrind util-linux libseccomp-dev
  libcli11-dev nlohmann-json3-dev scdoc mandoc groff-base
  chicken-bin libchicken-dev
  python3-dev
  abigail-tools
  nats-server libnats-dev openssl
)
# What building and running the demo needs.
PMQ_DEMO_PACKAGES=(meson ninja-build pkg-config g++)

# need_packages PKG...: installs those not yet installed (as root, with
# apt-get), or says which are missing and stops.
need_packages() {
  local missing=()
  local pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
      missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "Missing Debian packages: ${missing[*]}" >&2
    echo "Install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "Installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q || true
  apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# configure BUILDDIR [MESON-OPTION...]: meson setup, or reconfigure an existing one.
configure() {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
}

# set_test_threads PER_CORE: how many tests `meson test` runs at once
# (MESON_TESTTHREADS, unless already set): PER_CORE per core, but at most 8
# while RLIMIT_MSGQUEUE stays as it is.  All their queues count against that
# one limit per user (800 KiB by default: ten default-sized queues), whatever
# IPC namespace they are in: 16 tests at once exhausted it in each of three
# runs of the whole suite, 8 and 11 in none of five.  Lifted where allowed
# (CAP_SYS_RESOURCE); the tests of the limit itself lower it in their own
# processes.
set_test_threads() {
  local lifted=no
  if ulimit -q unlimited 2>/dev/null; then
    lifted=yes
  fi
  if [ -z "${MESON_TESTTHREADS:-}" ]; then
    local threads=$(( $(nproc) * $1 ))
    if [ "$lifted" = no ] && [ "$threads" -gt 8 ]; then
      threads=8
    fi
    export MESON_TESTTHREADS=$threads
  fi
}
