# Shared helpers for scripts/run, scripts/test and scripts/bench. Sourced, not run.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Packages the build needs (Debian bookworm).
BUILD_PACKAGES=(g++ cmake ninja-build pkg-config libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev libsqlite3-dev libspdlog-dev libfmt-dev libtoml11-dev libcli11-dev libsodium-dev libhiredis-dev
  libmariadb-dev libgtest-dev libgmock-dev libbenchmark-dev ca-certificates)
# What the tests need beyond the build: real servers and tools they drive.
TEST_PACKAGES=(redis-server mariadb-server curl python3 python3-jwt python3-cryptography python3-yaml openssl prometheus nginx
  chromium chromium-driver python3-selenium)
# The libFuzzer harnesses (scripts/fuzz): Debian's clang 14 with its libFuzzer and sanitizer runtimes.
FUZZ_PACKAGES=(clang-14 libfuzzer-14-dev libclang-rt-14-dev)

as_root() { if [[ $(id -u) == 0 ]]; then "$@"; else sudo "$@"; fi; }

# Installs whichever of the given packages are missing (apt-get update first, non-interactive).
ensure_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  echo "==> installing: ${missing[*]}" >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# configure_and_build DIR [cmake args...]
configure_and_build() {
  local dir=$1; shift
  cmake -S "$ROOT" -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" --parallel "$(nproc)"
}
