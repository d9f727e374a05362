#!/usr/bin/env bash
# Refreshes the Qt Linguist catalogues from the sources of the window and the
# widgets. lupdate runs without include paths on purpose: following includes
# into LibTorch's headers makes it take many minutes and adds nothing.
# Then translate the new entries (Qt Linguist, or by hand) and commit the .ts files.
set -euo pipefail
cd "$(dirname "$0")/.."
lupdate=/usr/lib/qt6/bin/lupdate  # qtchooser's `lupdate` may point at Qt 5
"$lupdate" -no-obsolete -locations relative -I . app/gui widgets -ts translations/diffquant_de.ts translations/diffquant_zh_CN.ts
