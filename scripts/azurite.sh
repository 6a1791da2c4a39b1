# Sourced by test.sh and demo.sh: start Azurite (pinned in package-lock.json) if nothing answers on the
# queue port, and remember whether we started it so that azurite_stop stops only what we started.
AZURITE_PID=""

azurite_up() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

azurite_start() {
  local blob=$1 queue=$2 table=$3; shift 3
  if azurite_up "$queue" && azurite_up "$table"; then
    echo "Azurite already answers on ports $blob/$queue/$table; using it."
    return
  fi
  if [ ! -x node_modules/.bin/azurite ]; then
    echo "Installing Azurite from package-lock.json (npm ci)..."
    npm ci --no-audit --no-fund --loglevel=error
  fi
  mkdir -p .azurite
  local where=(--location .azurite)
  case " $* " in *" --inMemoryPersistence "*) where=() ;; esac
  node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --loose "${where[@]}" \
    --blobHost 127.0.0.1 --blobPort "$blob" --queueHost 127.0.0.1 --queuePort "$queue" \
    --tableHost 127.0.0.1 --tablePort "$table" "$@" > .azurite/azurite.log 2>&1 &
  AZURITE_PID=$!
  for _ in $(seq 1 100); do
    if azurite_up "$queue" && azurite_up "$table"; then echo "Azurite started (pid $AZURITE_PID)."; return; fi
    sleep 0.2
  done
  echo "Azurite did not start; see .azurite/azurite.log" >&2
  cat .azurite/azurite.log >&2 || true
  return 1
}

# Azurite closes gracefully on SIGTERM; if it has not gone within 10 s (a hung connection), it is killed.
azurite_stop() {
  [ -n "$AZURITE_PID" ] || return 0
  kill "$AZURITE_PID" 2>/dev/null || true
  for _ in $(seq 1 50); do kill -0 "$AZURITE_PID" 2>/dev/null || break; sleep 0.2; done
  kill -9 "$AZURITE_PID" 2>/dev/null || true
  wait "$AZURITE_PID" 2>/dev/null || true
}
