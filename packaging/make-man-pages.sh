#!/usr/bin/env bash
# Generates the man pages from the programs' own --help with help2man, so they
# never drift from the CLI: diffquant(1), one page per subcommand
# (diffquant-sample(1), ...), and diffquant-studio(1). Run by the build
# (target man-pages); the pages are gzipped as Debian policy asks.
# usage: make-man-pages.sh OUTDIR VERSION DIFFQUANT [DIFFQUANT_STUDIO]
set -euo pipefail
out=$1 version=$2 cli=$3 gui=${4:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rm -rf "$out"
mkdir -p "$out"

# help2man names the page after the program it runs and shows argv[0] in the
# usage line, so each page runs a wrapper whose argv[0] is the public name.
wrap() {  # wrap NAME PROGRAM [ARGS...]
  local name=$1; shift
  printf '#!/usr/bin/env bash\nexec -a %q %q' "${name%%-*}" "$1" > "$tmp/$name"
  shift
  for a in "$@"; do printf ' %q' "$a" >> "$tmp/$name"; done
  printf ' "$@"\n' >> "$tmp/$name"
  chmod +x "$tmp/$name"
}
page() {  # page NAME DESCRIPTION
  help2man --no-info --section=1 --version-string="$version" --name="$2" \
    --source="DiffQuant Studio" --manual="DiffQuant Studio" --output="$tmp/$1.1" "$tmp/$1"
  gzip -9n -c "$tmp/$1.1" > "$out/$1.1.gz"
}

wrap diffquant "$cli"
page diffquant "post-training quantization of diffusion models"

# Subcommands and their one-line descriptions, from the top-level help.
"$cli" --help | awk '/^Subcommands:/{on=1; next} on && /^  [a-z]/{print}' > "$tmp/subcommands"
[ -s "$tmp/subcommands" ] || { echo "make-man-pages: no subcommands found in '$cli --help'" >&2; exit 1; }
while read -r sub description; do
  wrap "diffquant-$sub" "$cli" "$sub"
  # The wrapper's argv[0] must read "diffquant"; the page is named after the file.
  page "diffquant-$sub" "$description"
done < "$tmp/subcommands"

if [ -n "$gui" ]; then
  printf '#!/usr/bin/env bash\nQT_QPA_PLATFORM=offscreen exec -a diffquant-studio %q "$@"\n' "$gui" > "$tmp/diffquant-studio"
  chmod +x "$tmp/diffquant-studio"
  page diffquant-studio "post-training quantization explorer for diffusion models"
fi
echo "make-man-pages: $(ls "$out" | wc -l) pages in $out"
