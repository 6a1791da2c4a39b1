#!/usr/bin/env bash
# The benchmark, one command: ./bench/run.sh [--quick] [--sizes 1000,10000,100000] [--no-alertmanager] ...
# Installs what it needs if missing (Azurite from package-lock.json, Debian's prometheus-alertmanager), builds the
# bench in Release and runs it. The bench starts its own Azurite (in memory, 127.0.0.1:10200-10202; override with
# BENCH_AZURITE_PORT) and its own Alertmanager (127.0.0.1, a free port, clustering off), and stops both at the end.
# Results: the table and JSON on stdout, and bench/results/latest.json.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x node_modules/.bin/azurite ]; then
  echo "bench: installing Azurite from package-lock.json (npm ci)..."
  npm ci --no-audit --no-fund --loglevel=error
fi

if [ ! -x /usr/bin/prometheus-alertmanager ]; then
  echo "bench: installing prometheus-alertmanager (Debian package)..."
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq prometheus-alertmanager >/dev/null
  # The package enables a system service listening on every interface; the bench never uses it. Where the
  # machine runs systemd and it did start, stop it so nothing but the bench's own loopback instance runs.
  if command -v systemctl >/dev/null && systemctl is-active --quiet prometheus-alertmanager 2>/dev/null; then
    $SUDO systemctl stop prometheus-alertmanager || true
  fi
fi

echo "bench: building bench/DeadlineAlerts.Bench (Release)..."
dotnet build bench/DeadlineAlerts.Bench -c Release -nologo -v quiet -clp:ErrorsOnly
exec dotnet bench/DeadlineAlerts.Bench/bin/Release/net10.0/DeadlineAlerts.Bench.dll "$@"
