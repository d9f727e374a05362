#!/usr/bin/env bash
# Quality against reconstruction effort, so users can trade time for quality:
# W4A8 (MSE ranges, split shortcuts) on the shipped model with nearest
# rounding, GPTQ, and AdaRound at several iteration counts per unit, each
# evaluated on the same seeds: paired PSNR/SSIM and FID-to-FP
# against the FP samples, class accuracy, and the calibration time.
#
#   bench/recon_quality.sh [BUILD_DIR] [NUM_SAMPLES] [ITERATION COUNTS...]
#
# Defaults: build, 256 samples, 100 300 1000 iterations per unit (AdaRound at
# the CLI's default learning rate, 1e-2). Writes work files to
# bench/out/ (git-ignored) and the table to docs/reconstruction-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
NUM=${2:-256}
shift $(( $# > 2 ? 2 : $# )) || true
ITERS=("$@")
[[ ${#ITERS[@]} -eq 0 ]] && ITERS=(100 300 1000)
CLI="$BUILD/app/cli/diffquant"
OUT=bench/out/recon
mkdir -p "$OUT"
CALI="$OUT/calibration.safetensors"
BASE=(--preset W4A8 --method mse --split --steps 50 --cali-st 20 --cali-n 64 --cali-data "$CALI")

# Collect the calibration data once, so that no row's time includes it.
"$CLI" -q calibrate "${BASE[@]}" --out "$OUT/warm-up" > /dev/null

CONFIGS=("nearest|--rounding nearest" "GPTQ|--rounding gptq")
for n in "${ITERS[@]}"; do CONFIGS+=("AdaRound $n it/unit|--rounding adaround --recon-iters $n"); done

ROWS=""
for entry in "${CONFIGS[@]}"; do
  name=${entry%%|*}
  opts=${entry#*|}
  slug=$(echo "$name" | tr -c 'A-Za-z0-9' '-')
  start=$(date +%s.%N)
  # shellcheck disable=SC2086
  "$CLI" -q calibrate "${BASE[@]}" $opts --out "$OUT/$slug"
  end=$(date +%s.%N)
  seconds=$(python3 -c "print(f'{$end - $start:.0f}')")
  "$CLI" -q eval --quant "$OUT/$slug" --num "$NUM" --steps 50 --seed 0 --json "$OUT/$slug.json" > /dev/null
  [[ -n "$ROWS" ]] && ROWS="$ROWS"$'\n'
  ROWS="$ROWS$(python3 - "$name" "$OUT/$slug.json" "$seconds" <<'PY'
import json, sys
name, path, seconds = sys.argv[1:4]
m = json.load(open(path))["metrics"]
fp_acc = m.get("fp_class_accuracy")
print(f"| {name} | {m['psnr_vs_fp']:.2f} | {m['ssim_vs_fp']:.3f} | {m['fid_to_fp']:.1f} | "
      f"{100*m['class_accuracy']:.1f} % | {'—' if fp_acc is None else f'{100*fp_acc:.1f} %'} | {seconds} s |")
PY
)"
  echo "done: $name ($seconds s)"
done

cat > docs/reconstruction-results.md <<MD
# W4A8 quality against reconstruction effort

Produced by \`bench/recon_quality.sh $BUILD $NUM ${ITERS[*]}\` on a $(nproc)-thread CPU ($(date -u +%Y-%m-%d)).
Shipped model, W4A8 with MSE ranges and split shortcuts, DDIM 50 steps, $NUM samples with mixed classes on
the same seeds for every row; PSNR, SSIM and FID-to-FP are against the FP samples from the same noise.
Calibration data (64 trajectories × 20 steps) is collected once beforehand; times are the whole
\`calibrate\` command (rounding, ranges, reconstruction, artifact). AdaRound caches 128 calibration pairs
(each with its class and the null class) per unit and uses minibatches of 32.

| rounding | PSNR vs FP (dB) | SSIM vs FP | FID to FP | class acc. | FP class acc. | calibration |
|---|---|---|---|---|---|---|
$ROWS

Reading it: GPTQ and AdaRound both beat nearest rounding by a wide margin. At these small budgets
AdaRound's quality is not monotonic in the iteration count: in the run this table was measured with,
100 iterations per unit gave 19.9 dB and 300 gave 17.0 dB, while the default 500 gave 24.0 dB on
200 samples (docs/results.md). A likely cause, not verified yet: with λ = 0.01 summed over every
weight, the rounding regulariser outweighs the reconstruction loss soon after the warm-up, so short
schedules lock roundings in before they are learned. Until this is understood, use the default (500) or more; GPTQ is the fast,
predictable choice.
MD
echo "Wrote docs/reconstruction-results.md"
