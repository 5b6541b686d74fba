#!/usr/bin/env bash
# The Spark tests (tests/test_engines.py) and `release --engine spark` need a Java 17 runtime
# for pyspark's local JVM. Install Debian's openjdk-17-jre-headless when `java` is missing; do
# nothing when present. The default DuckDB engine never needs Java.
set -euo pipefail
if command -v java >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "Java is missing: run 'sudo apt-get install openjdk-17-jre-headless' (Spark tests need it)." >&2
  exit 1
fi
echo "Installing Debian's openjdk-17-jre-headless for the Spark tests…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq openjdk-17-jre-headless >/dev/null
