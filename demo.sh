#!/usr/bin/env bash
# The main job, locally: starts Azurite (persistent, default ports), a local webhook listener, loads the
# sample trade deadlines into a fresh "demo" installation, shows their countdowns, then walks the clock
# through the Stockholm talks and the 12 August 2025 truce deadline so you can watch alerts arrive.
# Email alerts go to the pickup transport: one .eml file per email in .demo/mail/, readable in any mail client.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/azurite.sh
azurite_start 10000 10001 10002
LISTENER_PID=""
cleanup() { [ -n "$LISTENER_PID" ] && kill "$LISTENER_PID" 2>/dev/null; azurite_stop; }
trap cleanup EXIT

dotnet build src/DeadlineAlerts.Cli --nologo -v quiet -o .tools/dla > /dev/null
dla() { dotnet .tools/dla/dla.dll "$@" --table-prefix demo; }
export DeadlineAlerts__Delivery__AllowHosts="127.0.0.1:5099"
# Signed unsubscribe and calendar links in every message, pointing at `dla serve` on this machine (DEMO_CONSOLE=1
# serves them). The key is for this demo only: an installation uses its own (openssl rand -base64 32).
export DeadlineAlerts__UnsubscribeKey="ZGVtby1vbmx5LWtleS1ub3QtYS1zZWNyZXQtMzJieXQ="
export DeadlineAlerts__PublicBaseUrl="http://127.0.0.1:7071"
MAIL_DIR="$PWD/.demo/mail"
export DeadlineAlerts__Email__Transport=pickup            # local catcher: write .eml files instead of sending
export DeadlineAlerts__Email__PickupDirectory="$MAIL_DIR"
rm -rf "$MAIL_DIR" && mkdir -p "$MAIL_DIR"

dotnet .tools/dla/dla.dll listen --port 5099 > .azurite/listener.log 2>&1 &
LISTENER_PID=$!
dla reset --yes > /dev/null 2>&1 || true

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
step "Import the sample trade deadlines (29 July 2025, 05:00 UTC: the second day of the Stockholm talks)"
dla import samples/trade-deadlines.json --now 2025-07-29T05:00:00Z
step "Deadlines and their countdowns"
dla deadlines --now 2025-07-29T05:00:00Z
step "Subscribers (channel URLs are redacted)"
dla subscribers
step "What will fire until the truce deadline"
dla preview --from 2025-07-29T05:00:00Z --to 2025-08-12T05:00:00Z
tick() { step "Tick at $1${2:+: $2}"; dla run --once --now "$1"; }
tick 2025-07-29T06:00:30Z "Stockholm talks, 1 hour left"
tick 2025-07-29T07:00:30Z "Stockholm talks, due now"
step "29 Jul 2025, 18:00 CEST: the Stockholm talks end; the operator resolves the milestone"
dla resolve stockholm-talks --reason "Talks ended; both sides to seek a further 90-day extension of the truce" --now 2025-07-29T16:00:00Z
tick 2025-07-29T16:00:30Z "the resolve notice goes out"
tick 2025-08-04T06:00:30Z "Monday 08:00 in Stockholm: the Stockholm channel's weekly digest"
tick 2025-08-05T04:01:30Z "truce, 7 days left (the New York desk's is held: 00:01 EDT is inside its quiet hours)"
tick 2025-08-05T11:00:30Z "07:00 EDT: the end of the New York desk's quiet hours"
tick 2025-08-11T04:01:30Z "truce, 1 day left"
tick 2025-08-11T06:00:30Z "Monday 08:00 in Stockholm: the next weekly digest"
tick 2025-08-11T11:00:30Z "07:00 EDT: the New York desk's held 1-day alert"

step "11 Aug 2025, 15:00 EDT: the truce is extended by 90 days, to 10 Nov 00:01 EST"
dla extend us-china-tariff-truce --to 2025-11-10T00:01 --reason "Executive order of 11 Aug 2025: 90-day extension" --now 2025-08-11T19:00:00Z
tick 2025-08-11T19:00:30Z "the change notices go out; the 12 Aug alerts that had not fired are cancelled"
tick 2025-08-12T04:01:30Z "the old deadline passes: nothing is sent for it"
step "Deadlines now (status, latest change)"
dla deadlines --now 2025-08-12T04:02:00Z

step "A recurring deadline: the US tariff-rate check, 09:00 New York on the 15th of each month (FREQ=MONTHLY;BYMONTHDAY=15)"
tick 2025-08-14T13:00:30Z "tariff-rate check, 1 day left (the alert says when the next occurrence is)"
tick 2025-08-15T13:00:30Z "tariff-rate check due now; the tick extends the schedule to the occurrence after next"
tick 2025-09-14T13:00:30Z "a month later: the September occurrence, 1 day left (and the Stockholm channel's latest weekly digest)"
step "Deadlines on 14 Sep 2025: the recurring one stands where its next occurrence does"
dla deadlines --now 2025-09-14T13:02:00Z
step "Who changed what (audit log)"
dla audit --deadline us-china-tariff-truce
step "The alert ledger"
dla alerts
sleep 0.5
step "What the local webhook listener received"
cat .azurite/listener.log
step "Email alerts: one .eml file per email in $MAIL_DIR (open one in any mail client, or: less FILE)"
shopt -s nullglob
mails=("$MAIL_DIR"/*.eml)
[ ${#mails[@]} -gt 0 ] || { echo "No email arrived in $MAIL_DIR" >&2; exit 1; }
# Oldest first; the Subject header unfolded onto one line.
ls -1tr "${mails[@]}" | while read -r f; do
  printf '%s\n    %s\n' "$f" "$(awk '/^Subject:/ {s=$0; on=1; next} on && /^[ \t]/ {sub(/^[ \t]+/, " "); s=s $0; next} {on=0} END {print s}' "$f")"
done

if [ "${DEMO_CONSOLE:-}" = "1" ]; then
  step "The operator console on the demo's data: open the URL below, key: demo (Ctrl-C stops it and Azurite)"
  DeadlineAlerts__OperatorKey='demo' dla serve --no-run --now 2025-08-12T04:02:00Z
else
  step "The operator console: DEMO_CONSOLE=1 ./demo.sh runs this demo and then serves the console on its data (key: demo)"
  echo "or, on your own installation: DeadlineAlerts__OperatorKey=KEY dla serve, then open the \"Operator console:\" URL it prints"
fi
