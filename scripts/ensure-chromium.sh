#!/usr/bin/env bash
# The browser tests drive Debian's Chromium. Install it (and its driver) if it is missing.
set -euo pipefail
if [ -x /usr/bin/chromium ]; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "Chromium is missing: run 'sudo apt-get install chromium chromium-driver' for the browser tests." >&2
  exit 1
fi
echo "==> Installing Chromium from Debian's packages"
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
