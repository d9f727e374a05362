#!/usr/bin/env bash
# Refreshes the .ts files from the sources (run after changing tr() strings),
# then translate the new entries with Qt Linguist. `-I .` lets lupdate resolve
# the project's includes, without which namespaced classes lose their context.
set -euo pipefail
cd "$(dirname "$0")/.."
lupdate=$(command -v lupdate6 || echo /usr/lib/qt6/bin/lupdate)
for lang in de zh_CN; do
  "$lupdate" -I . -no-obsolete -locations none -target-language "$lang" widgets app/gui \
    -ts "translations/diffquant_$lang.ts"
done
