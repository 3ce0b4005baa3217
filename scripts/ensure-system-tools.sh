#!/usr/bin/env bash
# The Debian packages beside Node that the cluster profile and the tests use: nginx (the cluster
# profile's load balancer), Chromium for the Web UI browser tests and promtool (package
# prometheus) for the alerting-rule tests. Each is installed with apt-get
# when its command is missing; idempotent; one line per tool.
set -euo pipefail

# command:package — the first command found satisfies its package.
tools=(
  'nginx|/usr/sbin/nginx:nginx-light'
  'chromium|chromium-browser:chromium'
  'promtool:prometheus'
)

missing=()
for tool in "${tools[@]}"; do
  commands=${tool%%:*}
  package=${tool##*:}
  found=''
  for c in ${commands//|/ }; do
    found=$(command -v "$c" || true)
    [ -n "$found" ] && break
  done
  if [ -n "$found" ]; then
    echo "$package: $found"
  else
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "missing: ${missing[*]}; install Debian's packages as root (apt-get install ${missing[*]})" >&2
  exit 1
fi
echo "installing Debian's ${missing[*]} with apt-get…"
log=$(mktemp)
if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
  tail -20 "$log" >&2
  rm -f "$log"
  echo "apt-get install ${missing[*]} failed (output above)" >&2
  exit 1
fi
rm -f "$log"
# The nginx package starts a system nginx on port 80; the cluster profile runs its own.
if [[ " ${missing[*]} " == *" nginx-light "* ]] && command -v service >/dev/null; then
  service nginx stop >/dev/null 2>&1 || true
fi
echo "installed: ${missing[*]}"
