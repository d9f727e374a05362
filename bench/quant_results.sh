#!/usr/bin/env bash
# Reproduces docs/results.md: the shipped model at 50 DDIM steps in FP and
# under each quantization configuration, evaluated on the same seeds and
# classes (FID against the Fashion-MNIST test set, FID-to-FP, class accuracy,
# paired PSNR/SSIM against FP, calibration time, artifact size).
#
#   bench/quant_results.sh [BUILD_DIR] [NUM_SAMPLES]
#
# Defaults: build, 1000 samples (the table in docs/results.md was made with
# fewer: see its header). REUSE=1 keeps rows (and the FP and floor runs) whose
# results already exist in bench/out, so an interrupted run continues. Writes work files to bench/out/ (git-ignored)
# and the table to docs/results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
NUM=${2:-1000}
CLI="$BUILD/app/cli/diffquant"
OUT=bench/out
mkdir -p "$OUT"
CALI="$OUT/calibration-uniform.safetensors"

# name | calibrate options
# AdaRound settings of every reconstruction row (the CLI's defaults, spelled out).
RECON="--rounding adaround --recon-iters 500 --recon-lr 1e-2"
CONFIGS=(
  "W8A8 min/max, uniform timesteps (DI2N)|--preset W8A8 --method minmax"
  "W8A8 min/max, NDTC timesteps (PTQ4DM)|--preset W8A8 --method minmax --timesteps normal --cali-data $OUT/calibration-normal.safetensors"
  "W4A8 nearest (MSE + split)|--preset W4A8 --method mse --split"
  "W4A8 GPTQ|--preset W4A8 --method mse --split --rounding gptq"
  "W4A8 AdaRound|--preset W4A8 --method mse --split $RECON"
  "W4A8 AdaRound + LSQ|--preset W4A8 --method mse --split $RECON --act-iters 300"
  "W4A8 AdaRound + LSQ + progressive|--preset W4A8 --method mse --split $RECON --act-iters 300 --progressive"
  "W4A8 AdaRound + LSQ + progressive + relaxing (last 20 % at 10 bits)|--preset W4A8 --method mse --split $RECON --act-iters 300 --progressive --relax-fraction 0.2 --relax-bits 10"
)

row() {  # name json calib_seconds size_kib
  python3 - "$@" <<'PY'
import json, sys
name, path, cal, size = sys.argv[1:5]
m = json.load(open(path))["metrics"]
f = lambda k, fmt: (fmt % m[k]) if m.get(k) is not None else "—"
print(f"| {name} | {f('fid', '%.2f')} | {f('fid_to_fp', '%.2f')} | {100*m['class_accuracy']:.1f} % | "
      f"{f('psnr_vs_fp', '%.2f')} | {f('ssim_vs_fp', '%.3f')} | {cal} | {size} |")
PY
}

REUSE=${REUSE:-0}
have() { [[ "$REUSE" == 1 && -s "$1" ]]; }
have "$OUT/floor.json" || "$CLI" -q eval --real-data --json "$OUT/floor.json" > /dev/null
FLOOR=$(python3 -c "import json,sys; print('%.2f' % json.load(open(sys.argv[1]))['metrics']['fid'])" "$OUT/floor.json")
have "$OUT/fp.json" || "$CLI" -q eval --num "$NUM" --steps 50 --seed 0 --json "$OUT/fp.json" > /dev/null
FP_KIB=$(python3 -c "import os,sys; print(round(os.path.getsize(sys.argv[1])/1024))" \
  "$(python3 -c "import json;print(json.load(open('$OUT/fp.json'))['model'])")/diffusion_pytorch_model.safetensors")
ROWS="$(row "FP" "$OUT/fp.json" "—" "$FP_KIB KiB")"

for entry in "${CONFIGS[@]}"; do
  name=${entry%%|*}
  opts=${entry#*|}
  slug=$(echo "$name" | tr -c 'A-Za-z0-9' '-')
  # DEADLINE (epoch seconds, set by bench/gpu_session.sh): start no row that
  # could not finish in MIN_ROW_SECONDS, and still write the table.
  if [[ -n "${DEADLINE:-}" && $(( DEADLINE - $(date +%s) )) -lt ${MIN_ROW_SECONDS:-0} ]]; then
    echo "deadline: skipped '$name'"; continue
  fi
  if ! have "$OUT/$slug.json"; then
    cali=(--cali-data "$CALI")
    [[ "$opts" == *--cali-data* ]] && cali=()  # the NDTC row has its own data file
    # shellcheck disable=SC2086
    "$CLI" -q calibrate "${cali[@]}" $opts --steps 50 --cali-st 20 --cali-n 64 --out "$OUT/$slug"
    "$CLI" -q eval --quant "$OUT/$slug" --num "$NUM" --steps 50 --seed 0 --json "$OUT/$slug.json" > /dev/null
  fi
  # The calibration time the artifact records (data collection included when it happened).
  seconds=$(python3 -c "import json,sys; print('%.0f s' % json.load(open(sys.argv[1]))['calibration']['seconds'])" \
    "$OUT/$slug/quantized_model.json")
  kib=$(du -k --apparent-size "$OUT/$slug"/quantized_model.json "$OUT/$slug"/quantized_weights.safetensors | awk '{s+=$1} END {print s}')
  ROWS="$ROWS
$(row "$name" "$OUT/$slug.json" "$seconds" "$kib KiB")"
done

cat > docs/results.md <<MD
# Quantization results on the shipped model

Produced by \`REUSE=1 bench/quant_results.sh $BUILD $NUM\` on a $(nproc)-thread CPU ($(date -u +%Y-%m-%d)).
Shipped Fashion-MNIST model, DDIM 50 steps (leading), guidance 1, $NUM samples with mixed classes, the same
seeds and classes for every row. FID is against the Fashion-MNIST test set (feature network beside the
model); FID-to-FP compares each quantized set with the FP set from the same noise (PCR's QDiffBench);
PSNR/SSIM are paired with the FP images. Calibration: 64 FP trajectories × 20 steps (1,280 (x_t, t)
pairs, each with its class and the null class), uniform timesteps except the PTQ4DM row (NDTC, its own
data); the calibration time is the one the artifact records, and includes collecting the data in the
first row of each data set (later rows reuse it). AdaRound rows: 500 iterations per unit, learning rate
1e-2, minibatch 32, 128 cached pairs per unit; LSQ: 300 iterations per unit. Artifact size counts both
files of the artifact (packed integer weights + JSON); the FP row shows the FP weights file.

For scale: the real-data floor (the 60,000 training images against the test-set statistics) is FID
$FLOOR. With $NUM samples FID carries a large positive bias, so compare rows with each other (same seeds,
classes and count) rather than with other tables; the issue asks for ≥ 1,000 samples per row, which
\`bench/quant_results.sh build 1000\` gives (about 12 minutes of CPU per row on 2 cores).

| configuration | FID | FID to FP | class acc. | PSNR vs FP (dB) | SSIM vs FP | calibration | size |
|---|---|---|---|---|---|---|---|
$ROWS

## Reading the table

Measured on 200 samples per row, so differences of a few tenths of a dB or about 1 point of
accuracy are within noise.

- **W8A8 ≈ FP: reproduced by the paired metrics.** At W8A8, paired PSNR is 28 dB, SSIM is 0.94,
  and class accuracy is within 2 points of FP. FID against the test set still rises from 220 to
  about 375. The cause is the feature network, not the samples: it reacts to invisible noise, and
  fixing that is issue 11's yardstick. FID-to-FP and the paired metrics are the guide here.
- **Reconstruction rescues W4A8: reproduced.**

  | W4A8 rounding | paired PSNR | class accuracy | FID-to-FP |
  |---|---|---|---|
  | nearest | 14.2 dB | 46 % | 299 |
  | GPTQ | 18.6 dB | 66 % | 149 |
  | AdaRound block reconstruction | 24.0 dB | 74.5 % | 71 |

  AdaRound meets both targets: paired PSNR ≥ 22 dB, and class accuracy within 5 points of FP
  (4.5 points here). It costs about 5 minutes of calibration on 2 cores.
- **Uniform ≥ normal timestep sampling: not reproduced.** On this model, NDTC is marginally
  *better* than uniform sampling at W8A8: 28.3 dB against 28.0 dB, FID-to-FP 35 against 38, the
  same accuracy. The difference is small and within the noise of 200 samples. DI2N's and
  Q-Diffusion's finding was made on CIFAR-10 and ImageNet models with 100-step trajectories.
- **LSQ and progressive calibration.**
  - 300 LSQ iterations per unit (Q-Diffusion uses 5,000) lower each unit's reconstruction error
    only slightly, and slightly hurt the end result: 23.2 dB against 24.0 dB.
  - PCR's progressive calibration on top gives the best FID-to-FP: 64 against 71. It also gives
    the best PSNR, 24.2 dB.
  - Its per-step grids for all 50 steps, stored as JSON, make the artifact 1.5 MB instead of
    0.67 MB.
- **Relaxing helps at a small cost in average bits: only weakly reproduced.** Raising activations
  to 10 bits on the last 20 % of steps (8.4 average activation bits) changes PSNR, FID-to-FP and
  accuracy by amounts within noise: 24.21 against 24.17 dB, 63.6 against 64.4. On this model the
  activation grids are not what limits W4A8.

Quality against reconstruction effort (iterations per unit) is in
[reconstruction-results.md](reconstruction-results.md). What each method does is in
[quantization.md](quantization.md).

## Mixed precision

Per-site widths chosen from a sensitivity sweep (\`diffquant sensitivity\`, then \`diffquant allocate\`)
against uniform widths and a random allocation at the same average weight bits, each calibrated and
compared with FP: [mixed-precision-results.md](mixed-precision-results.md), produced by
\`bench/mixed_precision.sh\`; how it works: [mixed-precision.md](mixed-precision.md).

![average weight bits against paired PSNR: optimal allocation, uniform widths, random allocation](mixed-precision-pareto.svg)
MD
echo "Wrote docs/results.md"
