#!/usr/bin/env bash
# Installs the Debian packages BatchLab needs; skips apt entirely when all are present (idempotent).
# Usage: scripts/install-deps.sh [--report-check] [PACKAGE...]
#   --report-check adds Chromium, which only the report check needs (make check-report and
#   make test REPORT_CHECK=1; ~30 s and ~300 MB to install here); PACKAGE... are extra packages a
#   target needs (make fuzz: lld when the toolchain has no ld.lld).
set -euo pipefail
packages=(libopenblas-dev libhdf5-dev hdf5-tools libturbojpeg0-dev libstb-dev libopenmpi-dev openmpi-bin
          gnuplot-nox libsqlite3-dev pkg-config)
for arg in "$@"; do
    case "$arg" in
        --report-check) packages+=(chromium) ;;
        -*) echo "install-deps: unknown option $arg (the only one is --report-check)" >&2; exit 2 ;;
        *) packages+=("$arg") ;;
    esac
done
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "installing system packages: ${missing[*]}"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
