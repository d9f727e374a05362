#!/usr/bin/env bash
# The shipped text-to-image pipeline's model-card table: FP, W8A8 and W4A8
# (GPTQ rounding, and AdaRound block reconstruction with Q-Diffusion's recipe
# at 500 iterations per unit) calibrated on its own calibration prompts, each scored with
# QDiffBench's two prompt sets (the calibration prompts and the held-out
# ones, separately): FID, sFID, IS and class accuracy against the
# Fashion-MNIST test set, and FID-to-FP and paired PSNR/SSIM against the FP
# samples from the same latents. The FP rows come from each quantized run's FP
# pass (same seeds), so every row is measured in this one run.
#
#   bench/t2i_model_card.sh [BUILD_DIR] [NUM_SAMPLES] [GUIDANCE] [STEPS]
#
# Defaults: build, 1000 samples per prompt set, guidance 3, 25 DDIM steps.
# Work files go to bench/out/t2i (git-ignored); the markdown table is printed.
# REUSE=1 keeps a configuration whose evaluation is already there (e.g. to add
# a row); by default every row is measured again.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
NUM=${2:-1000}
GUIDANCE=${3:-3}
STEPS=${4:-25}
CLI="$BUILD/app/cli/diffquant"
MODEL=resources/models/fashion-mnist-t2i
OUT=bench/out/t2i
mkdir -p "$OUT"
SAMPLER=(--scheduler ddim --steps "$STEPS" --guidance "$GUIDANCE" --seed 0)
CALIBRATE=(--model "$MODEL" "${SAMPLER[@]}" --cali-st 10 --cali-n 100 --method mse --cali-data "$OUT/calibration.safetensors")

declare -A SECONDS_OF
for config in "W8A8|--preset W8A8" "W4A8 GPTQ|--preset W4A8 --rounding gptq" \
              "W4A8 AdaRound|--preset W4A8 --rounding adaround"; do
  name=${config%%|*}
  read -r -a flags <<< "${config#*|}"
  dir="$OUT/$(echo "$name" | tr ' ' '-')"
  [[ "${REUSE:-0}" == 1 && -f "$dir/eval.json" ]] && continue
  start=$(date +%s)
  "$CLI" -q calibrate "${CALIBRATE[@]}" "${flags[@]}" --out "$dir"
  SECONDS_OF[$name]=$(( $(date +%s) - start ))
  "$CLI" -q eval --quant "$dir" "${SAMPLER[@]}" --num "$NUM" --batch 250 --json "$dir/eval.json" > "$dir/eval.txt"
done

python3 - "$OUT" "$NUM" "$GUIDANCE" "$STEPS" <<'EOF'
import json, sys
out, num, guidance, steps = sys.argv[1:5]
runs = [("W8A8", "W8A8"), ("W4A8 GPTQ", "W4A8-GPTQ"), ("W4A8 AdaRound", "W4A8-AdaRound")]
print(f"{num} samples per prompt set, DDIM {steps} steps, guidance {guidance}, seed 0, MSE ranges, "
      "calibrated on 100 trajectories x 10 steps of the calibration prompts\n")
print("| model | prompts | FID | sFID | IS | class accuracy | FID to FP | PSNR vs FP (dB) | SSIM vs FP |")
print("|---|---|---|---|---|---|---|---|---|")
first = json.load(open(f"{out}/W8A8/eval.json"))
for s in first["prompt_sets"]:
    m = s["metrics"]
    print(f"| FP | {s['name']} ({s['prompts']}) | {m['fp_fid']:.2f} | | | {100 * m['fp_class_accuracy']:.1f} % | | | |")
for label, folder in runs:
    for s in json.load(open(f"{out}/{folder}/eval.json"))["prompt_sets"]:
        m = s["metrics"]
        print(f"| {label} | {s['name']} ({s['prompts']}) | {m['fid']:.2f} | {m['sfid']:.2f} | {m['is_mean']:.2f} | "
              f"{100 * m['class_accuracy']:.1f} % | {m['fid_to_fp']:.2f} | {m['psnr_vs_fp']:.2f} | {m['ssim_vs_fp']:.4f} |")
EOF
for name in "${!SECONDS_OF[@]}"; do echo "calibration of $name: ${SECONDS_OF[$name]} s"; done
