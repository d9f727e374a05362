#!/usr/bin/env bash
# Everything a session lent the GPU machine does with it, in one call of under
# 10 minutes (the device tool's limit; a session has 15 minutes of device time):
#
#   1. build the CLI against the machine's LibTorch with CUDA, and check CUDA
#      against CPU (bench/gpu_check.sh, QUICK=1);
#   2. train the shipped architecture with the current recipe and with the
#      candidates, all for the same number of steps, in parallel on the GPU
#      (issue 11: "a test run ... should show the recipe beats the current one
#      at equal steps"); the step count is what fits TRAIN_SECONDS, measured by
#      a 100-step probe of all recipes together;
#   3. score every recipe on 1,000 samples; the best, and the shipped model for
#      comparison, on 5,000 samples at 50 DDIM steps: leading spacing with and
#      without clip_sample, and Q-Diffusion's quad spacing;
#   4. the quantization results table (bench/quant_results.sh) on the best new
#      model, row by row until the deadline.
#
# Here, once:  bench/gpu_check.sh --fetch-debs && bench/gpu_session.sh --fetch-data
# Then:        run(command="bash bench/gpu_session.sh", carry=[".debs"], timeout_s=600)
# and, on the still-warm machine, issue 15's SD-size figures on CUDA:
#               run(command="bash bench/gpu_check.sh --sd-scale", carry=[".debs"], timeout_s=300)
# Results come back as $OUT/results.tar.gz (JSON, logs, the table) and
# $OUT/model-<recipe>.tar (each trained model folder).
#
# Locally (CPU, a smoke test of the script itself): DQ_GPU_BUILD=build
# SKIP_CHECK=1 PROBE_STEPS=3 MIN_STEPS=6 TRAIN_SECONDS=1 NUM_SMALL=20 NUM_LARGE=20 TABLE_NUM=20
# BUDGET=240 bash bench/gpu_session.sh
set -uo pipefail
cd "$(dirname "$0")/.."

if [[ "${1:-}" == "--fetch-data" ]]; then
  mkdir -p .debs/fashion-mnist && cp /usr/share/datasets/fashion-mnist/*.gz .debs/fashion-mnist/
  exit 0
fi

T0=$(date +%s)
BUDGET=${BUDGET:-570}                 # seconds this script may take in all
DEADLINE=$(( T0 + BUDGET ))
TRAIN_SECONDS=${TRAIN_SECONDS:-130}   # wall time for all recipes together
NUM_SMALL=${NUM_SMALL:-1000}          # samples per recipe
NUM_LARGE=${NUM_LARGE:-5000}          # samples for the model card
TABLE_NUM=${TABLE_NUM:-1000}          # samples per row of docs/results.md
stamp() { echo "[gpu_session +$(( $(date +%s) - T0 )) s] $*"; }
left() { echo $(( DEADLINE - $(date +%s) )); }

OUTDIR=${OUT:-/tmp/dq-gpu-session-out}
# Both inside the checkout's ignored build folders: a second call on the
# still-warm machine reuses the build (the work folder starts empty each run).
WORK=${DQ_GPU_WORK:-$PWD/build-gpu-session}
export DQ_GPU_BUILD=${DQ_GPU_BUILD:-$PWD/build-gpu}
rm -rf "$WORK" && mkdir -p "$WORK" "$OUTDIR"
exec > >(tee "$OUTDIR/session.log") 2>&1
[[ -d .debs/fashion-mnist ]] && export DIFFQUANT_FASHION_MNIST=$PWD/.debs/fashion-mnist
export LD_LIBRARY_PATH="/tmp/dq-prefix/usr/lib/x86_64-linux-gnu:${LD_LIBRARY_PATH:-}"

pack() {  # the small results, rewritten after every phase so a cut-off run still returns them
  tar czf "$OUTDIR/results.tar.gz.tmp" -C "$WORK" --exclude='*.safetensors' --exclude='checkpoint' . 2>/dev/null \
    && mv "$OUTDIR/results.tar.gz.tmp" "$OUTDIR/results.tar.gz"
}

# 1. Build and CUDA check.
if [[ "${SKIP_CHECK:-0}" == 1 ]]; then
  [[ -x "$DQ_GPU_BUILD/app/cli/diffquant" ]] || { echo "SKIP_CHECK=1 needs a built $DQ_GPU_BUILD"; exit 1; }
else
  # A failed comparison is reported but does not stop the training and the table.
  DQ_GPU_OUT="$WORK/check" QUICK=1 SD_SCALE=0 bash bench/gpu_check.sh || stamp "gpu_check failed (see check/)"
  [[ -x "$DQ_GPU_BUILD/app/cli/diffquant" ]] || { stamp "no CLI was built"; pack; exit 1; }
fi
CLI="$DQ_GPU_BUILD/app/cli/diffquant"
pack

# 2. Training: the recipes differ only in their "train" keys.
SHIPPED=resources/models/fashion-mnist-ddpm
mkdir -p "$WORK/recipes"
# Every variant spells out the keys it compares, whatever the shipped recipe
# (resources/training/fashion-mnist-ddpm.json, min-SNR since 2026-11-30) says.
RECIPES=(uniform min-snr cosine-ema candidate)
write_configs() {  # steps
  python3 - "$1" "$WORK/recipes" <<'PY'
import json, sys
steps, out = int(sys.argv[1]), sys.argv[2]
base = json.load(open("resources/training/fashion-mnist-ddpm.json"))
constant = {"lr_schedule": "constant", "ema_horizon": 0}
cosine = {"lr_schedule": "cosine", "min_lr_ratio": 0.05, "ema_horizon": 0.1}
uniform = {"loss_weighting": "uniform"}
min_snr = {"loss_weighting": "min_snr", "min_snr_gamma": 5}
variants = {
    "uniform": {**constant, **uniform},      # the recipe before 2026-11-30
    "min-snr": {**constant, **min_snr},      # the shipped recipe
    "cosine-ema": {**cosine, **uniform},
    "candidate": {**cosine, **min_snr},
}
for name, extra in variants.items():
    cfg = json.loads(json.dumps(base))
    for key in ("lr_schedule", "min_lr_ratio", "loss_weighting", "min_snr_gamma", "ema_horizon"):
        cfg["train"].pop(key, None)
    cfg["train"].update(extra)
    cfg["train"]["steps"] = steps
    cfg["train"]["warmup_steps"] = min(cfg["train"]["warmup_steps"], max(1, steps // 10))
    cfg["train"]["checkpoint_every"] = max(1, steps // 4)   # a cut-off run still leaves a model
    cfg["train"]["log_every"] = max(1, steps // 20)
    json.dump(cfg, open(f"{out}/{name}.json", "w"), indent=2)
PY
}
train_all() {  # label [seconds: a limit per run, 0 = none]
  local pids=()
  for r in "${RECIPES[@]}"; do
    rm -rf "$WORK/$1-$r"
    OMP_NUM_THREADS=2 timeout "${2:-0}" "$CLI" train --data fashion-mnist --config "$WORK/recipes/$r.json" --out "$WORK/$1-$r" \
      > "$WORK/$1-$r.log" 2>&1 &
    pids+=($!)
  done
  local ok=0
  for p in "${pids[@]}"; do wait "$p" || ok=1; done
  return $ok
}
if [[ -n "${TRAIN_STEPS:-}" ]]; then
  STEPS=$TRAIN_STEPS
else
  PROBE_STEPS=${PROBE_STEPS:-100}
  write_configs "$PROBE_STEPS"
  stamp "probe: $PROBE_STEPS steps of each recipe in parallel"
  probe_start=$(date +%s.%N)
  train_all probe || { stamp "probe failed"; tail -5 "$WORK"/probe-*.log; pack; exit 1; }
  # Wall time of the whole probe (start-up included, so the estimate errs short).
  STEPS=$(python3 -c "
import sys
wall = float(sys.argv[1]) - float(sys.argv[2]); budget, least, probe = float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
steps = int(budget / max(wall / probe, 1e-4) / 500) * 500
print(max(least, min(steps, 60000)))" "$(date +%s.%N)" "$probe_start" "$TRAIN_SECONDS" "${MIN_STEPS:-4000}" "$PROBE_STEPS")
fi
[[ "$STEPS" =~ ^[0-9]+$ ]] || { stamp "no step count ('$STEPS')"; pack; exit 1; }
write_configs "$STEPS"
stamp "training ${RECIPES[*]} for $STEPS steps each (batch 64), in parallel"
# Bounded by the deadline: a run cut short leaves its last checkpoint's model.
TRAIN_LIMIT=$(( $(left) - 150 ))
(( TRAIN_LIMIT > 30 )) || TRAIN_LIMIT=30
train_all train "$TRAIN_LIMIT" || stamp "training stopped early or a run failed (logs in the results)"
for r in "${RECIPES[@]}"; do
  grep -h "Trained to step" "$WORK/train-$r.log" | sed "s/^/$r: /"
  cp "$SHIPPED"/{feature_net.safetensors,reference_stats.safetensors,class_names.txt} "$WORK/train-$r/" 2>/dev/null
done
pack

# 3. Scores.
score() {  # model json num [eval options]
  [[ $(left) -gt 20 ]] || { stamp "skipped $2 (deadline)"; return 0; }
  "$CLI" -q eval --model "$1" --num "$3" --steps 50 --seed 0 --json "$2" "${@:4}" > "$2.log" 2>&1 \
    || stamp "eval failed: $2"
}
fid() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['metrics']['fid'])" "$1" 2>/dev/null || echo 1e9; }
stamp "scoring each recipe on $NUM_SMALL samples"
BEST=""; BEST_FID=1e9
for r in "${RECIPES[@]}"; do
  [[ -f "$WORK/train-$r/diffusion_pytorch_model.safetensors" ]] || continue
  score "$WORK/train-$r" "$WORK/score-$r.json" "$NUM_SMALL"
  f=$(fid "$WORK/score-$r.json"); echo "$r: FID $f"
  if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" "$f" "$BEST_FID"; then
    BEST=$r; BEST_FID=$f
  fi
done
[[ -n "$BEST" ]] || { stamp "no recipe produced a model"; pack; exit 1; }
stamp "best recipe: $BEST (FID $BEST_FID on $NUM_SMALL samples)"
echo "$BEST" > "$WORK/best-recipe.txt"
pack

# The sampler settings, on the best new model and on the shipped one: copies
# with clip_sample set explicitly either way.
with_clip() {  # folder copy true|false
  rm -rf "$2" && cp -r "$1" "$2" && rm -rf "$2/checkpoint"
  python3 - "$2/scheduler_config.json" "$3" <<'PY'
import json, sys
config = json.load(open(sys.argv[1])); config["clip_sample"] = sys.argv[2] == "true"
json.dump(config, open(sys.argv[1], "w"), indent=2)
PY
}
with_clip "$WORK/train-$BEST" "$WORK/best-clip" true
with_clip "$WORK/train-$BEST" "$WORK/best-noclip" false
with_clip "$SHIPPED" "$WORK/shipped-clip" true
with_clip "$SHIPPED" "$WORK/shipped-noclip" false
stamp "model card scores ($NUM_LARGE samples)"
score "$WORK/best-clip" "$WORK/card-new-leading-clip.json" "$NUM_LARGE"
score "$WORK/best-noclip" "$WORK/card-new-leading-noclip.json" "$NUM_LARGE"
score "$WORK/best-noclip" "$WORK/card-new-quad.json" "$NUM_LARGE" --spacing quad
score "$WORK/shipped-clip" "$WORK/card-old-leading-clip.json" "$NUM_LARGE"
score "$WORK/shipped-noclip" "$WORK/card-old-leading-noclip.json" "$NUM_LARGE"
score "$SHIPPED" "$WORK/card-old-quad.json" "$NUM_LARGE" --spacing quad
score "$WORK/best-noclip" "$WORK/card-new-leading-noclip-g1.5.json" "$NUM_LARGE" --guidance 1.5
pack

# The model the table uses: the best recipe with the better clip setting.
FINAL="$WORK/best-clip"
if python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) < float(sys.argv[2]) else 1)" \
     "$(fid "$WORK/card-new-leading-noclip.json")" "$(fid "$WORK/card-new-leading-clip.json")"; then
  FINAL="$WORK/best-noclip"
fi
stamp "results table on $FINAL ($TABLE_NUM samples per row, until the deadline)"
for r in "${RECIPES[@]}"; do
  [[ -d "$WORK/train-$r" ]] && tar cf "$OUTDIR/model-$r.tar" -C "$WORK" --exclude=checkpoint --exclude=feature_net.safetensors --exclude=reference_stats.safetensors "train-$r"
done
tar cf "$OUTDIR/model-final.tar" -C "$WORK" --exclude=feature_net.safetensors --exclude=reference_stats.safetensors \
  "$(basename "$FINAL")"
rm -rf bench/out && mkdir -p bench/out
DIFFQUANT_MODEL="$FINAL" DEADLINE=$(( DEADLINE - 10 )) MIN_ROW_SECONDS=${MIN_ROW_SECONDS:-70} REUSE=0 bash bench/quant_results.sh "$DQ_GPU_BUILD" "$TABLE_NUM" \
  > "$WORK/table.log" 2>&1 || stamp "the table stopped early (see table.log)"
mkdir -p "$WORK/table" && cp bench/out/*.json docs/results.md "$WORK/table/" 2>/dev/null
for d in bench/out/*/; do [[ -f "$d/quantized_model.json" ]] && cp "$d/quantized_model.json" "$WORK/table/$(basename "$d").quantized_model.json"; done
tail -20 "$WORK/table.log"
pack
stamp "done"
