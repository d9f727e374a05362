#!/usr/bin/env bash
# Starts the product from a build tree: the GUI where a display is present,
# otherwise a command-line demo that samples the default model into a PNG grid.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${DQ_BUILD_DIR:-build}
model_args=()
gui_args=()
if [ -z "${DIFFQUANT_MODEL:-}" ] && [ ! -f resources/models/fashion-mnist-ddpm/config.json ]; then
  # Until the shipped model is trained, demonstrate on a randomly initialised one.
  demo=$build/demo-model
  [ -f "$demo/config.json" ] || "$build/app/cli/diffquant" create-model \
      --config tests/data/tiny_unet_config.json --out "$demo" --seed 0
  model_args=(--model "$demo")
  gui_args=("$demo")
  echo "start: no shipped model yet; using the random-weight demo model in $demo"
fi
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -x "$build/app/gui/diffquant-studio" ]; then
  exec "$build/app/gui/diffquant-studio" "${gui_args[@]}"
fi
"$build/app/cli/diffquant" info "${model_args[@]}" | head -n 12
"$build/app/cli/diffquant" sample "${model_args[@]}" --num 16 --steps 50 --seed 0 --out sample-grid.png
echo "start: wrote $(pwd)/sample-grid.png"
