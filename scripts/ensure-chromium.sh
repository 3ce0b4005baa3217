#!/usr/bin/env bash
# Chromium for the Web UI browser test (test/integration/web-ui.test.ts): Debian's package,
# installed with apt-get when it is missing. Idempotent; prints one line.
set -euo pipefail

found=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$found" ]; then
  echo "chromium: $found ($("$found" --version 2>/dev/null | head -1 || echo 'version unknown'))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "chromium: not found; install Debian's package as root (apt-get install chromium), or put a chromium on PATH" >&2
  exit 1
fi
echo "chromium: installing Debian's chromium package with apt-get…"
log=$(mktemp)
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; } >"$log" 2>&1; then
  tail -20 "$log" >&2
  rm -f "$log"
  echo "chromium: apt-get install chromium failed (output above)" >&2
  exit 1
fi
rm -f "$log"
