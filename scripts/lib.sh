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
