#!/usr/bin/env bash
# Does a training recipe converge faster at the same CPU budget? Trains the
# shipped architecture with the current recipe and with a candidate for the
# same number of steps, then evaluates both on the same seeds with the
# shipped (robust) feature network.
#
#   bench/training_recipes.sh [BUILD_DIR] [STEPS] [SAMPLES]
#
# Defaults: build, 400 steps, 500 samples (DDIM 50 steps, leading spacing).
# Recipes: resources/training/fashion-mnist-ddpm.json (current) and
# the same file with the candidate's "train" keys (CANDIDATE below).
# Writes work files to bench/out/recipes/ and prints a markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
STEPS=${2:-400}
NUM=${3:-500}
CLI="$BUILD/app/cli/diffquant"
OUT=bench/out/recipes
mkdir -p "$OUT"
CANDIDATE='{"lr_schedule": "cosine", "min_lr_ratio": 0.05, "loss_weighting": "min_snr", "min_snr_gamma": 5, "ema_horizon": 0.1}'

python3 - "$STEPS" "$CANDIDATE" "$OUT" <<'PY'
import json, sys
steps, candidate, out = int(sys.argv[1]), json.loads(sys.argv[2]), sys.argv[3]
base = json.load(open("resources/training/fashion-mnist-ddpm.json"))
for name, extra in (("current", {}), ("candidate", candidate)):
    cfg = json.loads(json.dumps(base))
    cfg["train"].update(extra)
    cfg["train"]["steps"] = steps
    cfg["train"]["warmup_steps"] = min(cfg["train"]["warmup_steps"], steps // 10)
    cfg["train"]["checkpoint_every"] = steps
    json.dump(cfg, open(f"{out}/{name}.json", "w"), indent=2)
PY

ROWS=""
for name in current candidate; do
  start=$(date +%s)
  # REUSE=1 keeps a model trained by an earlier run of this script.
  if [ "${REUSE:-0}" != 1 ] || [ ! -f "$OUT/$name/diffusion_pytorch_model.safetensors" ]; then
    rm -rf "$OUT/$name"
    "$CLI" -q train --data fashion-mnist --config "$OUT/$name.json" --out "$OUT/$name"
  fi
  train_s=$(( $(date +%s) - start ))
  cp resources/models/fashion-mnist-ddpm/feature_net.safetensors "$OUT/$name/"
  "$CLI" -q eval --model "$OUT/$name" --num "$NUM" --steps 50 --json "$OUT/$name-eval.json" > /dev/null
  ROWS+=$(python3 - "$OUT/$name-eval.json" "$name" "$train_s" <<'PY'
import json, sys
j = json.load(open(sys.argv[1])); m = j["metrics"]
print(f"| {sys.argv[2]} | {m['fid']:.2f} | {m['sfid']:.2f} | {m['is_mean']:.2f} | {100*m['class_accuracy']:.1f} % | {sys.argv[3]} s |")
PY
)$'\n'
done
echo "| recipe ($STEPS steps) | FID | sFID | IS | class accuracy | training time |"
echo "|---|---|---|---|---|---|"
printf '%s' "$ROWS"
