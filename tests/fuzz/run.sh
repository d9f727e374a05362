#!/bin/bash
# Builds the libFuzzer targets (clang, ASan + UBSan) and runs each for a while
# on a copy of its seed corpus, then prints one summary line per target:
# executions, speed, coverage edges, corpus size and findings.
#   tests/fuzz/run.sh [SECONDS_PER_TARGET=600] [TARGET...]
# Findings (crash-*, leak-*, timeout-*) land in fuzz-out/TARGET/.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-600}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(safetensors model_config scheduler_config train_config plan artifact idx calibration_data)

cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++ -DDQ_BUILD_FUZZERS=ON >/dev/null
cmake --build build-fuzz >/dev/null

summary=()
for t in "${targets[@]}"; do
  out=fuzz-out/$t
  rm -rf "$out" && mkdir -p "$out/corpus"
  cp tests/fuzz/corpus/$t/* "$out/corpus/"
  log=$out/fuzz.log
  # Nonzero exit means a finding; it is reported below, not fatal here.
  (cd "$out" && ../../build-fuzz/tests/fuzz/fuzz_$t corpus -max_total_time="$seconds" -max_len=8192 \
     -print_final_stats=1 -artifact_prefix=./ > fuzz.log 2>&1) || true
  done_line=$(grep -E "^#[0-9]+.*(DONE|pulse|NEW|REDUCE)" "$log" | tail -1)
  execs=$(grep -oE "stat::number_of_executed_units:[[:space:]]*[0-9]+" "$log" | awk '{print $2}')
  speed=$(grep -oE "stat::average_exec_per_sec:[[:space:]]*[0-9]+" "$log" | awk '{print $2}')
  cov=$(echo "$done_line" | grep -o "cov: [0-9]*" | awk '{print $2}')
  corp=$(echo "$done_line" | grep -o "corp: [0-9]*" | awk '{print $2}')
  findings=$(ls "$out" | grep -cE "^(crash|leak|timeout|oom)-" || true)
  summary+=("$(printf '%-18s %5ss  %12s execs  %8s/s  cov %6s  corpus %6s  findings %s' \
    "$t" "$seconds" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${corp:-?}" "$findings")")
done
printf '%s\n' "${summary[@]}"
