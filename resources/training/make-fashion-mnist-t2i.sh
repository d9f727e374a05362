#!/usr/bin/env bash
# Reproduces the shipped text-to-image pipeline (resources/models/fashion-mnist-t2i)
# from Fashion-MNIST with the recipes beside this script: a BPE tokenizer learned
# from the recipe's training captions, the VAE, then the U-Net and the text
# encoder trained jointly on the VAE's latents.
#
#   resources/training/make-fashion-mnist-t2i.sh WORK [--device cpu|cuda]
#
# Every stage checkpoints into WORK: run the same command again after an
# interruption (or in a later session) and each stage resumes where it stopped;
# finished stages are skipped. The pipeline is written to WORK/pipeline; copy
# it over resources/models/fashion-mnist-t2i as its MODEL_CARD.md says.
set -euo pipefail
cd "$(dirname "$0")/../.."
dq=${DIFFQUANT:-build/app/cli/diffquant}
work=${1:?usage: $0 WORK [--device cpu|cuda]}
shift
recipes=resources/training
mkdir -p "$work"

# A stage resumes from its checkpoint when it has one.
resume() { [ -f "$1/checkpoint/state.json" ] && echo --resume || true; }

if [ ! -f "$work/tokenizer/vocab.json" ]; then
  "$dq" train-tokenizer --captions-of "$recipes/fashion-mnist-t2i.json" --merges 500 --max-length 16 \
    --out "$work/tokenizer"
fi
if [ ! -f "$work/vae.done" ]; then
  "$dq" train-vae --config "$recipes/fashion-mnist-vae.json" --out "$work/vae" $(resume "$work/vae") "$@"
  touch "$work/vae.done"
fi
"$dq" train-t2i --config "$recipes/fashion-mnist-t2i.json" --vae "$work/vae" --tokenizer "$work/tokenizer" \
  --out "$work/pipeline" $(resume "$work/pipeline") "$@"
