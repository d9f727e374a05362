#!/usr/bin/env bash
# The yardstick's robustness report for one or more feature networks: FID
# between the two halves of the Fashion-MNIST test set (5,000 vs 5,000) with
# the second half perturbed, against the targets (imperceptible noise and
# background offsets add at most 1.0; blur and a class swap add at least 3).
#
#   bench/robustness.sh [BUILD_DIR] [NAME=FEATURE_NET.safetensors ...]
#
# Default: the shipped network. Prints a markdown table with one column per
# network (for docs/yardstick.md and the model card); JSON goes to bench/out/.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
shift $(( $# > 0 ? 1 : 0 )) || true
NETS=("$@")
[[ ${#NETS[@]} -eq 0 ]] && NETS=("shipped=resources/models/fashion-mnist-ddpm/feature_net.safetensors")
CLI="$BUILD/app/cli/diffquant"
OUT=bench/out/robustness
mkdir -p "$OUT"

jsons=()
for entry in "${NETS[@]}"; do
  name=${entry%%=*}
  net=${entry#*=}
  "$CLI" -q eval --robustness --features "$net" --json "$OUT/$name.json" > /dev/null
  jsons+=("$name=$OUT/$name.json")
done

python3 - "${jsons[@]}" <<'PY'
import json, sys
cols = [(a.split('=', 1)[0], json.load(open(a.split('=', 1)[1]))) for a in sys.argv[1:]]
head = "| second half of the test set | target | " + " | ".join(f"{n} FID (Δ)" for n, _ in cols) + " |"
print(head)
print("|---|---|" + "---|" * len(cols))
for i, row in enumerate(cols[0][1]["rows"]):
    cells = []
    for _, j in cols:
        r = j["rows"][i]
        mark = "" if not r["target"] else (" ✓" if r["meets_target"] else " ✗")
        cells.append(f"{r['fid']:.2f} ({r['delta_fid']:+.2f}){mark}")
    print(f"| {row['name']} | {row['target'] or '–'} | " + " | ".join(cells) + " |")
print()
print("Networks: " + ", ".join(f"{n} = `{j['feature_net_hash']}`" for n, j in cols) +
      "; class accuracy on the unperturbed half: " +
      ", ".join(f"{n} {100 * j['rows'][0]['class_accuracy']:.2f} %" for n, j in cols) + ".")
PY
