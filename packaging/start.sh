#!/usr/bin/env bash
# Starts the product from a build tree: the GUI where a display is present,
# otherwise the main job on the shipped model from the command line: a sample
# grid, a W8A8 calibration, and the FP | quantized | |difference| comparison
# from the same noise.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DQ_BUILD_DIR:-build}
cli=$build/app/cli/diffquant
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$build/app/gui/diffquant-studio" ]; then
  exec "$build/app/gui/diffquant-studio"
fi
out=${DQ_START_OUT:-start-output}
mkdir -p "$out"
# (Through a file: `info | head` would end info with SIGPIPE, which pipefail reports.)
"$cli" info > "$out/model-info.txt"
head -n 12 "$out/model-info.txt"
"$cli" sample --num 100 --columns 10 --steps 50 --seed 0 --out "$out/samples.png"
"$cli" calibrate --preset W8A8 --cali-n 64 --cali-st 20 --steps 50 \
    --cali-data "$out/calibration-data.safetensors" --out "$out/w8a8"
"$cli" sample --quant "$out/w8a8" --compare --num 20 --columns 10 --steps 50 --seed 1 --out "$out/compare-w8a8.png"
echo "start: wrote $(pwd)/$out/samples.png and $(pwd)/$out/compare-w8a8.png (FP | W8A8 | |difference| x4)"
