#!/usr/bin/env bash
# The deployment test (tests/test_deploy.py) runs Debian's nginx in front of Streamlit.
# Install it when missing; do nothing when present.
set -euo pipefail
if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "nginx is missing: run 'sudo apt-get install nginx' (the deployment test needs it)." >&2
  exit 1
fi
echo "Installing Debian's nginx for the deployment test…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq nginx >/dev/null
