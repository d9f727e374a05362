#!/usr/bin/env bash
# Reproduces docs/results.md: the shipped model at 50 DDIM steps in FP and
# under each quantization configuration, evaluated on the same seeds and
# classes (FID against the Fashion-MNIST test set, FID-to-FP, class accuracy,
# paired PSNR/SSIM against FP, calibration time, artifact size).
#
#   bench/quant_results.sh [BUILD_DIR] [NUM_SAMPLES]
#
# Defaults: build, 1000 samples. Each finished row leaves a small record in
# RECORDS (default bench/out/rows): its table line, the model weights and
# feature network it was measured with, the sample count and the device.
# REUSE=1 keeps rows whose record matches the current weights, network and
# sample count, so an interrupted run continues; with RECORDS in the
# repository (bench/records/quant-results) it continues on another machine,
# e.g. in the next CPU session (about 3 hours of rows on 2 CPU threads).
# The FP samples are sampled once and shared by every row (eval --fp-cache).
# Writes work files to bench/out/ (git-ignored); docs/results.md's table,
# between its markers (the analysis around it is kept), is written only once
# every row has a record, so the page never mixes two models' rows.
# On a GPU machine bench/gpu_session.sh runs it with a DEADLINE.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
NUM=${2:-1000}
CLI="$BUILD/app/cli/diffquant"
OUT=bench/out
RECORDS=${RECORDS:-$OUT/rows}
mkdir -p "$OUT" "$RECORDS"
CALI="$OUT/calibration-uniform.safetensors"
FP_CACHE="$OUT/fp-samples.safetensors"

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

line() {  # name json calib_seconds size_kib: the row's table line
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
# DEADLINE (epoch seconds, set by bench/gpu_session.sh) bounds every command,
# so a run cut short still leaves the records of the rows it finished.
limited() {
  if [[ -n "${DEADLINE:-}" ]]; then
    local left=$(( DEADLINE - $(date +%s) ))
    (( left > 0 )) || return 124
    timeout "$left" "$@"
  else
    "$@"
  fi
}

# What a record must match to be reused: the FP weights, the feature network, the sample count
# (by SHA-256; the table names the network by diffquant's own content hash, as eval JSONs do).
# (The CLI's default model: DIFFQUANT_MODEL, else the shipped one.)
MODEL_DIR=${DIFFQUANT_MODEL:-resources/models/fashion-mnist-ddpm}
WEIGHTS=$(sha256sum "$MODEL_DIR/diffusion_pytorch_model.safetensors" | cut -c1-16)
FEATURES=$(sha256sum "$MODEL_DIR/feature_net.safetensors" | cut -c1-16)

record_of() { echo "$RECORDS/$1.json"; }
# True when REUSE=1 and the record of slug $1 matches this model, network and sample count.
reusable() {
  [[ "$REUSE" == 1 && -s "$(record_of "$1")" ]] || return 1
  python3 - "$(record_of "$1")" "$WEIGHTS" "$FEATURES" "$NUM" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
sys.exit(0 if (r["weights"], r["feature_net"], str(r["num_samples"])) == tuple(sys.argv[2:5]) else 1)
PY
}
# Writes the record of slug $1: table line $2, from eval JSON $3, plus extra JSON fields $4.
write_record() {
  python3 - "$(record_of "$1")" "$2" "$3" "$WEIGHTS" "$FEATURES" "$NUM" "${4:-{\}}" <<'PY'
import json, os, sys
path, line, evaljson, weights, features, num, extra = sys.argv[1:8]
e = json.load(open(evaljson))
r = {"line": line, "weights": weights, "feature_net": features, "num_samples": int(num),
     "device": e.get("settings", {}).get("device", "cpu"), "feature_net_hash": e.get("feature_net_hash", "?"),
     "metrics": e["metrics"]}
r.update(json.loads(extra))
open(path + ".partial", "w").write(json.dumps(r, indent=1) + "\n")
os.replace(path + ".partial", path)
PY
}
field() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$(record_of "$1")" "$2"; }

if ! reusable floor; then
  limited "$CLI" -q eval --real-data --json "$OUT/floor.json" > /dev/null
  write_record floor "" "$OUT/floor.json"
fi
FLOOR=$(python3 -c "import json,sys; print('%.2f' % json.load(open(sys.argv[1]))['metrics']['fid'])" "$(record_of floor)")
if ! reusable fp; then
  # The FP row fills the FP sample cache every quantized row then reads.
  limited "$CLI" -q eval --num "$NUM" --steps 50 --seed 0 --fp-cache "$FP_CACHE" --json "$OUT/fp.json" > /dev/null
  FP_KIB=$(python3 -c "import os,sys; print(round(os.path.getsize(sys.argv[1])/1024))" "$MODEL_DIR/diffusion_pytorch_model.safetensors")
  write_record fp "$(line "FP" "$OUT/fp.json" "—" "$FP_KIB KiB")" "$OUT/fp.json"
fi

SLUGS=(fp)
for entry in "${CONFIGS[@]}"; do
  name=${entry%%|*}
  opts=${entry#*|}
  slug=$(echo "$name" | tr -c 'A-Za-z0-9' '-' | sed 's/-*$//')
  SLUGS+=("$slug")
  reusable "$slug" && continue
  # Start no row that could not finish in MIN_ROW_SECONDS.
  if [[ -n "${DEADLINE:-}" && $(( DEADLINE - $(date +%s) )) -lt ${MIN_ROW_SECONDS:-0} ]]; then
    echo "deadline: skipped '$name'"; continue
  fi
  cali=(--cali-data "$CALI")
  [[ "$opts" == *--cali-data* ]] && cali=()  # the NDTC row has its own data file
  # The shared uniform data is collected once, by a throwaway W8A8 min/max calibration before the
  # first row that reads it, so that no row's calibration time includes the collection (the NDTC
  # row collects its own data, and its time includes that).
  if (( ${#cali[@]} )) && [[ ! -s "$CALI" ]]; then
    limited "$CLI" -q calibrate --cali-data "$CALI" --preset W8A8 --method minmax --steps 50 --cali-st 20 \
      --cali-n 64 --out "$OUT/collect-calibration-data" > /dev/null || { echo "collecting calibration data failed"; exit 1; }
  fi
  # shellcheck disable=SC2086
  if ! limited "$CLI" -q calibrate "${cali[@]}" $opts --steps 50 --cali-st 20 --cali-n 64 --out "$OUT/$slug" \
     || ! limited "$CLI" -q eval --quant "$OUT/$slug" --num "$NUM" --steps 50 --seed 0 --fp-cache "$FP_CACHE" \
          --json "$OUT/$slug.json" > /dev/null; then
    echo "row failed or ran out of time: '$name'"; rm -f "$OUT/$slug.json"; continue
  fi
  # The calibration time the artifact records (the NDTC row's includes its data collection).
  seconds=$(python3 -c "import json,sys; print('%.0f s' % json.load(open(sys.argv[1]))['calibration']['seconds'])" \
    "$OUT/$slug/quantized_model.json")
  kib=$(du -k --apparent-size "$OUT/$slug"/quantized_model.json "$OUT/$slug"/quantized_weights.safetensors | awk '{s+=$1} END {print s}')
  write_record "$slug" "$(line "$name" "$OUT/$slug.json" "$seconds" "$kib KiB")" "$OUT/$slug.json"
  echo "row done: '$name'"
done

missing=()
for slug in "${SLUGS[@]}"; do REUSE=1 reusable "$slug" || missing+=("$slug"); done
if (( ${#missing[@]} )); then
  echo "docs/results.md not written: ${#missing[@]} of ${#SLUGS[@]} rows still to measure (${missing[*]});"
  echo "rerun with REUSE=1 (and the same RECORDS) to continue."
  exit 3
fi

ROWS=$(for slug in "${SLUGS[@]}"; do field "$slug" line; done)
DEVICES=$(for slug in "${SLUGS[@]}"; do field "$slug" device; done | sort -u | paste -sd, -)
BLOCK=$(cat <<MD
<!-- generated by bench/quant_results.sh: do not edit by hand -->
Produced by \`REUSE=1 RECORDS=$RECORDS bench/quant_results.sh $BUILD $NUM\` on $DEVICES ($(date -u +%Y-%m-%d)): the model
\`$(basename "$MODEL_DIR")\` (weights \`$WEIGHTS\`), DDIM 50 steps (leading), guidance 1, $NUM samples with mixed classes,
the same seeds and classes for every row, feature network \`$(field fp feature_net_hash)\`. Real-data floor: FID $FLOOR.

| configuration | FID | FID to FP | class acc. | PSNR vs FP (dB) | SSIM vs FP | calibration | size |
|---|---|---|---|---|---|---|---|
$ROWS
<!-- end of generated table -->
MD
)
# The generated block replaces the one between the markers in docs/results.md;
# the analysis around it is written by hand and kept.
python3 - "$BLOCK" <<'PYEND'
import os, sys
path, block = "docs/results.md", sys.argv[1]
text = open(path).read() if os.path.exists(path) else "# Quantization results on the shipped model\n\n"
start, end = "<!-- generated by bench/quant_results.sh", "<!-- end of generated table -->"
if start in text and end in text:
    text = text[:text.index(start)] + block + text[text.index(end) + len(end):]
else:
    text = text.rstrip() + "\n\n" + block + "\n"
open(path + ".partial", "w").write(text)
os.replace(path + ".partial", path)
PYEND
echo "Wrote docs/results.md"
