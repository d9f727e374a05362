#!/usr/bin/env bash
# Stable Diffusion 1.5 at full size, randomly initialised (no hub can be
# reached): builds the pipeline from bench/configs/sd15 (the SD 1.5 configs;
# the tokenizer files come from the golden test pipeline, whose ids fit SD's
# 49,408-token embedding), then measures load time, seconds per 512x512 step
# with guidance (batch 1), the simulated W8A8 overhead, the W4A8 artifact size
# and peak memory. About 4 GiB of weights are written under bench/out/.
#
#   bench/sd_scale.sh [BUILD_DIR] [DEVICE] [STEPS]
#
# Defaults: build, cpu, 4 DDIM steps per run (the first of each run is not
# timed). Prints the table that docs/performance.md records.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
DEVICE=${2:-cpu}
STEPS=${3:-4}
OUT=bench/out/sd15
if [[ ! -f "$OUT/pipeline/unet/diffusion_pytorch_model.safetensors" ]]; then
  rm -rf "$OUT"
  mkdir -p "$OUT"
  cp -r bench/configs/sd15 "$OUT/template"
  cp -r tests/data/golden/sd_pipeline/tokenizer "$OUT/template/tokenizer"
  "$BUILD/app/cli/diffquant" create-model --config "$OUT/template" --out "$OUT/pipeline" --seed 0
fi
"$BUILD/bench/bench_sd_scale" --model "$OUT/pipeline" --device "$DEVICE" --steps "$STEPS" --artifact "$OUT/w4a8"
