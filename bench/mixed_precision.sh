#!/usr/bin/env bash
# Validates automatic mixed precision on the shipped model: one sensitivity
# sweep (timed, against the cost of calibrating every configuration the sweep
# measures), then for several average weight widths three plans at the same
# budget (the optimal allocation, uniform widths, a random allocation), each
# calibrated and evaluated against FP (paired PSNR and FID-to-FP on the same
# seeds and classes). Writes docs/mixed-precision-results.md and its plot
# docs/mixed-precision-pareto.svg.
#
#   bench/mixed_precision.sh [BUILD_DIR] [NUM_SAMPLES]
#
# Defaults: build, 256 samples, budgets of 3, 4 and 6 average weight bits
# (BUDGETS="3 4" to choose). REUSE=1 keeps results already in bench/out/mixed.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${1:-build}
NUM=${2:-256}
CLI="$BUILD/app/cli/diffquant"
OUT=bench/out/mixed
mkdir -p "$OUT"
# The calibration set of bench/quant_results.sh (64 trajectories, 20 steps of 50).
CALI=bench/out/calibration-uniform.safetensors
DATA=(--steps 50 --cali-st 20 --cali-n 64 --cali-data "$CALI")
BASE=(--preset W4A8 --method mse --split)
REUSE=${REUSE:-0}
have() { [[ "$REUSE" == 1 && -s "$1" ]]; }

# 1. The sweep, timed. The baseline is what the sweep replaces: one full
#    calibration (observation + grid fitting) per configuration it measures.
if ! have "$OUT/sens.json"; then
  "$CLI" -q sensitivity "${BASE[@]}" "${DATA[@]}" --out "$OUT/sens.json" --top 8 > "$OUT/sens.txt"
fi
SWEEP_S=$(python3 -c "import json,sys; print('%.0f' % json.load(open(sys.argv[1]))['seconds'])" "$OUT/sens.json")
CONFIGS=$(python3 - "$OUT/sens.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
n = 2
for s in r["sites"]:
    for op in ("weight", "activation"):
        if op in s:
            n += len(s[op]["alone"]) + (1 if "all_but" in s[op] else 0)
print(n)
PY
)
if ! have "$OUT/one-calibration.txt"; then
  start=$(date +%s.%N)
  "$CLI" -q calibrate "${BASE[@]}" "${DATA[@]}" --out "$OUT/one-calibration" > /dev/null
  end=$(date +%s.%N)
  python3 -c "print('%.1f' % ($end - $start))" > "$OUT/one-calibration.txt"
fi
ONE_S=$(cat "$OUT/one-calibration.txt")

# 2. Plans at equal budgets, calibrated and evaluated.
# The FP samples are sampled once, by the FP run, and read by every plan's comparison.
FP_CACHE="$OUT/fp-samples.safetensors"
have "$OUT/fp.json" || "$CLI" -q eval --num "$NUM" --steps 50 --seed 0 --fp-cache "$FP_CACHE" --json "$OUT/fp.json" > /dev/null
ROWS=""
for bits in ${BUDGETS:-3 4 6}; do
  for strategy in optimal uniform random; do
    name="$strategy-$bits"
    if ! have "$OUT/$name.json"; then
      "$CLI" -q allocate --sens "$OUT/sens.json" --avg-weight-bits "$bits" --no-fp --strategy "$strategy" --seed 1 \
        --out "$OUT/$name-plan.json" > "$OUT/$name-allocation.txt"
      "$CLI" -q calibrate --plan "$OUT/$name-plan.json" "${DATA[@]}" --out "$OUT/$name" > /dev/null
      "$CLI" -q eval --quant "$OUT/$name" --num "$NUM" --steps 50 --seed 0 --fp-cache "$FP_CACHE" \
        --json "$OUT/$name.json" > /dev/null
    fi
    ROWS="$ROWS $name"
  done
done

python3 - "$OUT" "$NUM" "$SWEEP_S" "$CONFIGS" "$ONE_S" "$(nproc)" "$BUILD" $ROWS <<'PY'
import datetime, hashlib, json, os, re, sys
out, num, sweep_s, configs, one_s, threads, build = sys.argv[1:8]
names = sys.argv[8:]
rows = []
for name in names:
    m = json.load(open(f"{out}/{name}.json"))["metrics"]
    alloc = open(f"{out}/{name}-allocation.txt").read()
    avg = float(re.search(r"([0-9.]+) average weight bits", alloc).group(1))
    kib = float(re.search(r"([0-9.]+) KiB of weights", alloc).group(1))
    pred = float(re.search(r"predicted error of the predicted noise: ([0-9.e+-]+)", alloc).group(1))
    widths = re.search(r"weight widths: (.*)", alloc).group(1)
    strategy, bits = name.rsplit("-", 1)
    rows.append(dict(name=name, strategy=strategy, budget=int(bits), avg=avg, kib=kib, pred=pred, widths=widths,
                     psnr=m.get("psnr_vs_fp"), fid_fp=m.get("fid_to_fp"), acc=m.get("class_accuracy")))

# The Pareto plot: average weight bits against paired PSNR, one line per strategy.
W, H, L, R, T, B = 640, 400, 60, 150, 20, 50
xs = [r["avg"] for r in rows]; ys = [r["psnr"] for r in rows]
x0, x1 = min(xs) - 0.3, max(xs) + 0.3
y0, y1 = min(ys) - 1, max(ys) + 1
px = lambda x: L + (x - x0) / (x1 - x0) * (W - L - R)
py = lambda y: H - B - (y - y0) / (y1 - y0) * (H - T - B)
colours = {"optimal": "#1f77b4", "uniform": "#d62728", "random": "#7f7f7f"}
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<line x1="{L}" y1="{H-B}" x2="{W-R}" y2="{H-B}" stroke="black"/>',
       f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H-B}" stroke="black"/>',
       f'<text x="{(L+W-R)/2}" y="{H-12}" text-anchor="middle">average weight bits (weighted by weight count)</text>',
       f'<text x="15" y="{(T+H-B)/2}" transform="rotate(-90 15 {(T+H-B)/2})" text-anchor="middle">paired PSNR vs FP (dB)</text>']
x = int(x0) + 1
while x <= x1:
    svg.append(f'<line x1="{px(x)}" y1="{H-B}" x2="{px(x)}" y2="{H-B+5}" stroke="black"/><text x="{px(x)}" y="{H-B+18}" text-anchor="middle">{x}</text>')
    x += 1
y = int(y0) + 1
while y <= y1:
    if y % 2 == 0:
        svg.append(f'<line x1="{L-5}" y1="{py(y)}" x2="{L}" y2="{py(y)}" stroke="black"/><text x="{L-8}" y="{py(y)+4}" text-anchor="end">{y}</text>')
    y += 1
for i, (strategy, colour) in enumerate(colours.items()):
    pts = sorted((r["avg"], r["psnr"]) for r in rows if r["strategy"] == strategy)
    svg.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{" ".join(f"{px(a)},{py(b)}" for a, b in pts)}"/>')
    for a, b in pts:
        svg.append(f'<circle cx="{px(a)}" cy="{py(b)}" r="4" fill="{colour}"/>')
    svg.append(f'<rect x="{W-R+15}" y="{T+20*i}" width="12" height="12" fill="{colour}"/><text x="{W-R+32}" y="{T+20*i+11}">{strategy}</text>')
svg.append("</svg>")
open("docs/mixed-precision-pareto.svg", "w").write("\n".join(svg) + "\n")

table = ["| budget (avg weight bits) | strategy | avg weight bits | weight KiB | widths (bits: sites) | predicted ε error | paired PSNR vs FP | FID-to-FP | class accuracy |",
         "|---|---|---|---|---|---|---|---|---|"]
for r in rows:
    table.append(f"| {r['budget']} | {r['strategy']} | {r['avg']:.2f} | {r['kib']:.0f} | {r['widths']} | {r['pred']:.3g} | "
                 f"{r['psnr']:.2f} dB | {r['fid_fp']:.2f} | {100*r['acc']:.1f} % |")
gains = []
for b in sorted({r["budget"] for r in rows}):
    o = next(r for r in rows if r["budget"] == b and r["strategy"] == "optimal")
    u = next(r for r in rows if r["budget"] == b and r["strategy"] == "uniform")
    gains.append(f"at {b} bits: {o['psnr'] - u['psnr']:+.2f} dB paired PSNR, FID-to-FP {u['fid_fp']:.2f} → {o['fid_fp']:.2f}")
sweep, one, n = float(sweep_s), float(one_s), int(configs)
fp_model = json.load(open(f"{out}/fp.json"))["model"]
weights = hashlib.sha256(open(f"{fp_model}/diffusion_pytorch_model.safetensors", "rb").read()).hexdigest()[:16]
md = f"""# Mixed precision on the shipped model

Produced by `BUDGETS="{os.environ.get("BUDGETS", "3 4 6")}" REUSE=1 bench/mixed_precision.sh {build} {num}` on a {threads}-thread CPU ({datetime.date.today()}),
on the model `{os.path.basename(fp_model.rstrip("/"))}` (weights `{weights}`).
Base plan: W4A8, MSE ranges, split shortcuts; calibration data: 64 trajectories × 20 of 50 DDIM steps
(bench/out/calibration-uniform.safetensors, shared with bench/quant_results.sh). Plans are calibrated with
nearest rounding; {num} samples per row, the same seeds and classes for every row.

## The sweep

`diffquant sensitivity` measured {n} configurations (every site alone at 2, 3, 4, 6 and 8 weight bits and
4, 6 and 8 activation bits, and all-but-one for weights and activations) in **{sweep:.0f} s**.
One calibration of the base plan on the same data took {one:.1f} s, so calibrating every configuration
separately would take about {n * one:.0f} s: the sweep is **{n * one / sweep:.1f}× faster** than that baseline
(both measured in this run; the baseline is extrapolated from one calibration, multiplied by the number of
configurations).

## Allocations at equal budgets

Activations stay at 8 bits; candidate weight widths 2, 3, 4, 6 and 8 (no FP). "uniform" is the widest
single width within the budget, "random" a random allocation that fits (seed 1).

{chr(10).join(table)}

![Pareto plot](mixed-precision-pareto.svg)

Optimal allocation against uniform widths: {"; ".join(gains)}.

The predicted error is the sum of every quantized operand's error alone, activations at 8 bits
included; those add the same amount to every row of a budget, so compare rows within a budget.
With {num} samples per row FID-to-FP is noisy and biased upward (more so the fewer the samples);
paired PSNR, averaged over the same {num} pairs, is the steadier measure.
"""
open("docs/mixed-precision-results.md", "w").write(md)
print(md)
PY
