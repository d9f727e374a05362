#!/usr/bin/env bash
# Builds the .deb, unpacks it with dpkg -x into a temporary root and runs the
# installed programs there: info, sample, a small calibrate and sample --quant
# with the installed default model, and the GUI under Xvfb for a scripted
# screenshot. The source tree must be out of reach: no binary may contain a
# path into it, and (where strace works) no run may touch it. Also checks the
# package's dependencies, lints it, and validates its desktop, AppStream and
# man pages.
# usage: test_installed_package.sh CPACK BUILD_DIR SOURCE_DIR VERSION
set -euo pipefail
cpack=$1 build=$(realpath "$2") src=$(realpath "$3") version=$4
work=$(mktemp -d /tmp/dq-package-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }

step "building the package"
"$cpack" -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" > "$work/cpack.log" 2>&1 ||
  { cat "$work/cpack.log"; fail "cpack failed"; }
deb="$work/pkg/diffquant-studio_${version}_amd64.deb"
[ -f "$deb" ] || fail "no package at $deb"

step "dependencies"
dpkg-deb -f "$deb" Depends > "$work/depends"
dpkg-deb -f "$deb" Recommends > "$work/recommends"
for p in libopenblas0-pthread libtorch1.13 libqt6widgets6 libqcustomplot2.1-qt6 libspdlog1.10-fmt9 libpng16-16 zlib1g; do
  grep -q "\b$p\b" "$work/depends" || fail "Depends lacks $p: $(cat "$work/depends")"
done
grep -q "\bdataset-fashion-mnist\b" "$work/recommends" || fail "Recommends lacks dataset-fashion-mnist"

if command -v lintian > /dev/null; then
  step "lintian"
  lintian --tag-display-limit 0 "$deb" 2>&1 | grep -v "running with root privileges" | tee "$work/lintian" || true
  if grep -E "^(E|W):" "$work/lintian"; then fail "lintian reports errors or warnings"; fi
else
  echo "lintian is not installed: lint skipped"
fi

step "unpacking into $work/root"
dpkg -x "$deb" "$work/root"
bin="$work/root/usr/bin"
share="$work/root/usr/share"
[ -x "$bin/diffquant" ] && [ -x "$bin/diffquant-studio" ] || fail "binaries missing from the package"
[ -f "$share/diffquant-studio/models/fashion-mnist-ddpm/config.json" ] || fail "shipped model missing"
[ -f "$share/diffquant-studio/models/fashion-mnist-t2i/model_index.json" ] || fail "shipped text-to-image pipeline missing"

step "no source-tree path compiled into the binaries"
for b in "$bin"/*; do
  if grep -a -q -F "$src/resources" "$b" || grep -a -q -F "$build" "$b"; then
    fail "$(basename "$b") contains a path into the source or build tree"
  fi
done

# The installed programs run in a clean environment, from a folder outside
# the source tree, with no DIFFQUANT_MODEL: they must find everything
# relative to themselves.
mkdir -p "$work/home" "$work/run"
cd "$work/run"
clean_env=(env -i PATH=/usr/bin:/bin HOME="$work/home" LANG=C.UTF-8)
tracer=()
if command -v strace > /dev/null && strace -f -qq -o /dev/null true 2> /dev/null; then
  tracer=(strace -f -qq -e trace=%file -o "$work/trace")
else
  echo "strace unavailable here: relying on the binary path check above"
fi
run() {  # run NAME COMMAND...: runs the installed program, checks it kept out of the source tree
  local name=$1; shift
  echo "-- $name: $*"
  "${clean_env[@]}" "${tracer[@]}" "$@" > "$work/$name.out" 2> "$work/$name.err" ||
    { cat "$work/$name.out" "$work/$name.err"; fail "$name exited non-zero"; }
  if [ ${#tracer[@]} -gt 0 ] && grep -F -e "\"$src" -e "\"$build" "$work/trace"; then
    fail "$name touched the source or build tree (above)"
  fi
}

step "installed CLI"
run version "$bin/diffquant" --version
grep -q "^diffquant $version$" "$work/version.out" || fail "--version: $(cat "$work/version.out")"
grep -q "^LibTorch " "$work/version.out" && grep -q "^CUDA: " "$work/version.out" &&
  grep -q "^BLAS: OpenBLAS" "$work/version.out" || fail "--version lacks LibTorch, CUDA or BLAS"
run info "$bin/diffquant" info
grep -q -F "$share/diffquant-studio/models/fashion-mnist-ddpm" "$work/info.err" ||
  fail "info did not load the installed model: $(head -5 "$work/info.err")"
grep -q "BLAS: OpenBLAS" "$work/info.err" || fail "the log does not name the BLAS when work starts"
run sample "$bin/diffquant" sample --num 2 --steps 4 --seed 1 --device cpu --out fp.png
run calibrate "$bin/diffquant" calibrate --preset W8A8 --cali-n 2 --cali-st 2 --steps 4 --device cpu --out w8a8
run sample_quant "$bin/diffquant" sample --quant w8a8 --num 2 --steps 4 --seed 1 --device cpu --out q.png
for f in fp.png q.png; do
  [ "$(head -c 8 "$f" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "$f is not a PNG"
done

step "installed GUI under Xvfb"
run gui xvfb-run -a -s "-screen 0 1600x1000x24" "$bin/diffquant-studio" \
  --screenshot "$work/run/studio.png" --quit --timeout 120
[ "$(head -c 8 studio.png | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ] || fail "no screenshot from the GUI"
grep -q -F "$share/diffquant-studio/models/fashion-mnist-ddpm" "$work/gui.err" ||
  fail "the GUI did not open the installed default model: $(tail -5 "$work/gui.err")"

step "desktop file, AppStream and man pages"
desktop-file-validate "$share/applications/io.github.diffquant.Studio.desktop" || fail "desktop file invalid"
if command -v appstreamcli > /dev/null; then
  appstreamcli validate --no-net "$share/metainfo/io.github.diffquant.Studio.metainfo.xml" || fail "AppStream invalid"
fi
man1="$share/man/man1"
subcommands=$("$bin/diffquant" --help 2> /dev/null | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print $1}')
for page in diffquant diffquant-studio $(printf 'diffquant-%s ' $subcommands); do
  [ -f "$man1/$page.1.gz" ] || fail "no man page $page(1)"
  zcat "$man1/$page.1.gz" | grep -q "^\.SH NAME" || fail "$page(1) has no NAME section"
done
echo "PASS: the installed package works without the source tree ($(ls "$man1" | wc -l) man pages)"
