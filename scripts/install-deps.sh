#!/usr/bin/env bash
# Installs the Debian packages BatchLab needs (and any named as arguments); skips apt entirely when all are present (idempotent).
set -euo pipefail
packages=(libopenblas-dev libhdf5-dev hdf5-tools libturbojpeg0-dev libstb-dev libopenmpi-dev openmpi-bin
          gnuplot-nox libsqlite3-dev pkg-config chromium)  # chromium: make check-report (~30 s to install here)
packages+=("$@")  # extra packages a target needs (make fuzz: lld when the toolchain has no ld.lld)
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
