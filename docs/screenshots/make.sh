#!/usr/bin/env bash
# Re-takes the README screenshots: the real window under Xvfb at 1600x1000,
# driven by its scripted session on the shipped model, with fresh settings.
#   docs/screenshots/make.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/../.."
studio=${1:-build}/app/gui/diffquant-studio
out=docs/screenshots
config=$(mktemp -d)
shoot() {  # name, then scripted-session options
  local name=$1
  shift
  XDG_CONFIG_HOME=$config xvfb-run -a -s "-screen 0 1600x1000x24" \
    "$studio" --language en --steps 50 --images 16 --stats-images 4 --seed 3 "$@" \
    --screenshot "$out/$name.png" --quit --timeout 1200
}
# W4A8 with MSE ranges and split shortcuts; a decoder shortcut site near the
# end of sampling, where its h and skip halves differ most; bimodality heatmap.
shoot explorer-w4a8 --calibrate W4A8 --method mse --split --cali-n 32 --cali-st 10 \
  --site up_blocks.1.resnets.0.conv1 --step 45 --heatmap bimodality
# W8A8 min/max without split: the SQNR heatmap, and one grid over both halves.
shoot explorer-w8a8-sqnr --calibrate W8A8 --cali-n 32 --cali-st 10 \
  --site up_blocks.2.resnets.0.conv_shortcut --step 49 --heatmap sqnr --log-counts
rm -rf "$config"
echo "wrote $out/explorer-w4a8.png and $out/explorer-w8a8-sqnr.png"
