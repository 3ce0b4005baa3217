#!/usr/bin/env bash
# nginx, the cluster profile's load balancer in front of its API replicas (src/stack/load-balancer.ts):
# Debian's package, installed with apt-get when it is missing. Idempotent; prints one line.
set -euo pipefail

found=$(command -v nginx || { [ -x /usr/sbin/nginx ] && echo /usr/sbin/nginx; } || true)
if [ -n "$found" ]; then
  echo "nginx: $found ($("$found" -v 2>&1 | head -1 || echo 'version unknown'))"
  exit 0
fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "nginx: not found; install Debian's package as root (apt-get install -y nginx-light), or put an nginx on PATH" >&2
  exit 1
fi
echo "nginx: installing Debian's nginx-light package with apt-get…"
log=$(mktemp)
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx-light; } >"$log" 2>&1; then
  tail -20 "$log" >&2
  rm -f "$log"
  echo "nginx: apt-get install nginx-light failed (output above)" >&2
  exit 1
fi
rm -f "$log"
# The package starts a system nginx on port 80; the cluster profile runs its own.
if command -v systemctl >/dev/null && systemctl is-active --quiet nginx 2>/dev/null; then
  systemctl stop nginx || true
fi
found=$(command -v nginx || echo /usr/sbin/nginx)
echo "nginx: $found ($("$found" -v 2>&1 | head -1))"
