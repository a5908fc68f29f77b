#!/usr/bin/env bash
# System packages the tests need beyond Python's: Debian's Chromium (browser tests), Pango (which
# WeasyPrint draws PDFs with) and poppler-utils (the tests read packs back with pdftotext and
# render them with pdftoppm). Installs what is missing.
set -euo pipefail
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium chromium-driver)
[ -x /usr/bin/pdftotext ] || missing+=(poppler-utils)
ldconfig -p | grep -q libpangoft2-1.0 || missing+=(libpango-1.0-0 libpangoft2-1.0-0)
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Missing system packages: run 'sudo apt-get install ${missing[*]}' for the tests." >&2
  exit 1
fi
echo "==> Installing ${missing[*]} from Debian's packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
