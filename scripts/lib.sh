# Shared shell helpers for the set-up scripts: messages, failing with advice, and a heartbeat for
# builds that take minutes. Sourced, not run.
CANTEEN_CACHE=${CANTEEN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/canteen}

say() { printf '\033[1m[canteen]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[canteen] error:\033[0m %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || die "$1 is not installed. $2"; }

# with_heartbeat LABEL CMD...: runs CMD, printing the elapsed time every 30 s so a long build is
# visibly alive; CMD's own output goes to a log that is shown only when it fails.
with_heartbeat() {
  local label=$1; shift
  mkdir -p "$CANTEEN_CACHE/logs"
  local log="$CANTEEN_CACHE/logs/${label// /-}.log" start=$SECONDS
  "$@" >"$log" 2>&1 &
  local pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    sleep 5
    (( (SECONDS - start) % 30 < 5 )) && kill -0 "$pid" 2>/dev/null && say "  $label: still working ($((SECONDS - start)) s)"
  done
  if ! wait "$pid"; then
    tail -n 40 "$log" >&2
    die "$label failed after $((SECONDS - start)) s; full log: $log"
  fi
  say "  $label: done in $((SECONDS - start)) s"
}
