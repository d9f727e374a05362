#!/usr/bin/env bash
# Installs everything DiffQuant Studio needs to build, run and test on Debian 12.
# libopenblas0-pthread matters: without it Debian's LibTorch falls back to the
# reference BLAS and matrix products run ~60x slower.
# Idempotent: packages already present are left alone, so it is cheap to re-run.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git
  qt6-base-dev qt6-tools-dev qt6-l10n-tools qt6-tools-dev-tools qt6-translations-l10n
  libqt6svg6
  libtorch-dev libopenblas0-pthread
  libqcustomplot-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libcli11-dev
  zlib1g-dev libpng-dev
  dataset-fashion-mnist
  xvfb xauth
  help2man desktop-file-utils appstream lintian
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
