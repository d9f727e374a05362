#!/usr/bin/env bash
# Trains the shipped model longer and scores the result against it, on the
# model card's settings: warm-starts from resources/models/fashion-mnist-ddpm
# with resources/training/fashion-mnist-ddpm-continue.json, then evaluates
# the continued model and the shipped one on the same seeds (DDIM 50 steps,
# leading and quad spacing, mixed classes, guidance 1).
#
#   bench/train_longer.sh [BUILD_DIR] [WORK_DIR] [SAMPLES] [SPACINGS]
#
# Defaults: build, /var/tmp/dq-train-longer, 5000 samples, "leading quad".
# Resumable: rerunning continues the training from its last checkpoint and
# skips scores whose JSON already exists. SCORE_SHIPPED=1 also scores the
# shipped model (the model card already has its 5,000-sample rows).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
WORK=${2:-/var/tmp/dq-train-longer}
NUM=${3:-5000}
SPACINGS=${4:-leading quad}
CLI="$BUILD/app/cli/diffquant"
SHIPPED=resources/models/fashion-mnist-ddpm
RECIPE=resources/training/fashion-mnist-ddpm-continue.json
MODEL="$WORK/continued"
mkdir -p "$WORK"

start=$(date +%s)
if [[ -f "$MODEL/checkpoint/state.json" ]]; then
  "$CLI" train --config "$RECIPE" --out "$MODEL" --resume
else
  "$CLI" train --config "$RECIPE" --init-from "$SHIPPED" --out "$MODEL"
fi
echo "training: $(( $(date +%s) - start )) s in this call"
# The evaluation reads the feature network, its reference statistics and the
# class names from the model folder, as for the shipped model.
cp "$SHIPPED"/{feature_net.safetensors,reference_stats.safetensors,class_names.txt} "$MODEL/"

score() {  # folder name spacing
  local json="$WORK/$2-$3-$NUM.json"
  [[ -f "$json" ]] && { echo "kept $json"; return 0; }
  "$CLI" -q eval --model "$1" --num "$NUM" --steps 50 --seed 0 --spacing "$3" --json "$json.part"
  mv "$json.part" "$json"
}
for spacing in $SPACINGS; do
  score "$MODEL" continued "$spacing"
  [[ "${SCORE_SHIPPED:-0}" == 1 ]] && score "$SHIPPED" shipped "$spacing"
done

python3 - "$WORK" "$NUM" <<'PY'
import glob, json, os, sys
work, num = sys.argv[1], sys.argv[2]
print("| model | spacing | FID | sFID | IS | class accuracy | wall time |")
print("|---|---|---|---|---|---|---|")
for path in sorted(glob.glob(f"{work}/*-{num}.json")):
    name, spacing = os.path.basename(path).split("-")[:2]
    r = json.load(open(path)); m = r["metrics"]
    print(f"| {name} | {spacing} | {m['fid']:.2f} | {m['sfid']:.2f} | {m['is_mean']:.2f} ± {m['is_std']:.2f} "
          f"| {100 * m['class_accuracy']:.1f} % | {r['wall_time_s']:.0f} s |")
PY
