#!/usr/bin/env bash
# The backing services a component profile needs (components/<profile>/).
#   backing.sh install PROFILE  installs missing servers from Debian's packages (needs root/sudo).
#   backing.sh serve PROFILE    runs them in the foreground until stopped: a server already listening
#                               on its port is used as is; a missing one is started here and stopped
#                               when this script ends, so nothing is left behind. Tilt and the test
#                               harness both run this; it prints "backing services ready" when ready.
#   backing.sh ready PROFILE    exits 0 when every server the profile needs accepts connections.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cmd=${1:?usage: backing.sh install|serve|ready PROFILE}
profile=${2:-local}

case $profile in
  local) servers=(redis) ;;
  postgres-rabbitmq) servers=(postgres rabbitmq) ;;
  *) die "unknown profile '$profile': expected a folder name under components/" ;;
esac

port_of() { case $1 in redis) echo 6379 ;; postgres) echo 5432 ;; rabbitmq) echo 5672 ;; esac; }
binary_of() { case $1 in redis) echo redis-server ;; postgres) echo pg_ctlcluster ;; rabbitmq) echo rabbitmq-server ;; esac; }
package_of() { case $1 in redis) echo redis-server ;; postgres) echo postgresql ;; rabbitmq) echo rabbitmq-server ;; esac; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install() {
  local pkgs=()
  for s in "${servers[@]}"; do command -v "$(binary_of "$s")" >/dev/null 2>&1 || pkgs+=("$(package_of "$s")"); done
  [ ${#pkgs[@]} -eq 0 ] && { say "backing servers for '$profile' are installed"; return; }
  local sudo=""
  [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null || die "installing ${pkgs[*]} needs root: run as root or install sudo"; sudo=sudo; }
  command -v apt-get >/dev/null || die "no apt-get: install ${pkgs[*]} with your package manager, then run this again"
  say "installing ${pkgs[*]} from Debian's packages"
  # Debian starts services after install where it can; keep that from happening (serve starts them).
  printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null && $sudo chmod +x /usr/sbin/policy-rc.d
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${pkgs[@]}" >/dev/null
  $sudo rm -f /usr/sbin/policy-rc.d
}

pids=()
start() {
  case $1 in
    redis) redis-server --port 6379 --bind 127.0.0.1 --save "" --appendonly no --loglevel warning & ;;
    postgres)
      local ver; ver=$(ls /etc/postgresql | sort -V | tail -n 1)
      [ -n "$ver" ] || die "no PostgreSQL cluster in /etc/postgresql"
      mkdir -p /var/run/postgresql && chown postgres /var/run/postgresql
      su postgres -c "exec /usr/lib/postgresql/$ver/bin/postgres -D /var/lib/postgresql/$ver/main -c config_file=/etc/postgresql/$ver/main/postgresql.conf" & ;;
    rabbitmq) rabbitmq-server >"$CANTEEN_CACHE/logs/rabbitmq.log" 2>&1 & ;;
  esac
  pids+=($!)
}

serve() {
  mkdir -p "$CANTEEN_CACHE/logs"
  trap 'trap - EXIT; [ ${#pids[@]} -gt 0 ] && kill "${pids[@]}" 2>/dev/null; wait; exit 0' EXIT INT TERM
  for s in "${servers[@]}"; do
    if listening "$(port_of "$s")"; then say "$s: using the server already on port $(port_of "$s")"; continue; fi
    command -v "$(binary_of "$s")" >/dev/null 2>&1 || die "$s is not installed: run 'scripts/backing.sh install $profile' (or make setup)"
    say "$s: starting on port $(port_of "$s")"
    start "$s"
  done
  for s in "${servers[@]}"; do
    for _ in $(seq 1 600); do listening "$(port_of "$s")" && break; sleep 0.1; done
    listening "$(port_of "$s")" || die "$s did not open port $(port_of "$s") within 60 s"
  done
  prepare
  [ "${CANTEEN_FRESH:-}" = 1 ] && fresh
  say "backing services ready for profile $profile"
  sleep infinity & pids+=($!)
  wait
}

# fresh empties what earlier platforms left in servers that outlive them (the machine's own Redis,
# PostgreSQL and RabbitMQ, or ones an earlier run started). Only the test harness asks for it
# (CANTEEN_FRESH=1, under its machine lock, at a platform's first start, never at a Restart);
# `make run` keeps its data and its undelivered events across restarts.
# - Topics: Redis streams keep every consumer group's backlog, and a test platform started after
#   a benchmark had its subscribers chewing through thousands of the benchmark's events before its
#   own (seen: tests waiting 30 s for an event); RabbitMQ's durable queues the same (seen: a CI run
#   right after `make bench` waited 30 s for an order's first event). Every stream is deleted,
#   every queue purged.
# - State: a benchmark's orders never expire once its platform is gone (their jobs went with its
#   scheduler), so their holds stayed, and the next test platform's inventory reconciler swept
#   them (seen: 14,025 holds, 11.7 s of busy sidecar in a sweep, failing the restart test's
#   check that no sidecar spins). Canteen's keys (those of its app ids, "<app>||...") and its
#   PostgreSQL tables are emptied; whatever else the servers hold is left alone.
fresh() {
  local apps
  apps=$(awk '/appID:/ {print $NF}' "$(dirname "$0")/../dapr.yaml" | tr '\n' ' ')
  apps="$apps bench orderprobe" # the load generator's and the e2e probe's own app ids
  case $profile in
    postgres-rabbitmq)
      command -v rabbitmqctl >/dev/null || { say "rabbitmq: no rabbitmqctl here, the queues keep what earlier platforms left"; return; }
      local n
      if n=$(rabbitmqctl -q eval 'lists:sum([N || Q <- rabbit_amqqueue:list(), {ok, N} <- [rabbit_amqqueue:purge(Q)]]).' 2>&1); then
        say "rabbitmq: purged $n messages left in the queues by earlier platforms"
      else
        say "rabbitmq: could not purge the queues ($n); they keep what earlier platforms left"
      fi
      local tables
      tables=$(PGPASSWORD=canteen psql -h 127.0.0.1 -U postgres -d canteen -qtAc \
        "SELECT string_agg(quote_ident(tablename), ', ') FROM pg_tables WHERE schemaname = 'public' AND tablename LIKE 'canteen\_%state'") ||
        die "could not list Canteen's state tables"
      if [ -n "$tables" ]; then
        PGPASSWORD=canteen psql -h 127.0.0.1 -U postgres -d canteen -qc "TRUNCATE $tables" || die "could not empty $tables"
        say "postgres: emptied $tables"
      fi ;;
    local)
      command -v redis-cli >/dev/null || { say "redis: no redis-cli here, the topics and state keep what earlier platforms left"; return; }
      local n
      # shellcheck disable=SC2086 # one argument per app id
      n=$(redis-cli -p "$(port_of redis)" EVAL "local streams, keys = 0, 0
        local ours = {}
        for _, a in ipairs(ARGV) do ours[a] = true end
        for _, k in ipairs(redis.call('KEYS', '*')) do
          if redis.call('TYPE', k)['ok'] == 'stream' then redis.call('DEL', k); streams = streams + 1
          else
            local app = string.match(k, '^(.-)||')
            if app and ours[app] then redis.call('DEL', k); keys = keys + 1 end
          end
        end
        return streams .. ' pub/sub streams and ' .. keys .. ' state keys'" 0 $apps) || die "could not empty the pub/sub streams and state"
      say "redis: deleted $n left by earlier platforms" ;;
  esac
}

# prepare creates what the profile's components expect inside the servers, idempotently.
prepare() {
  case $profile in
    postgres-rabbitmq)
      # Over the local socket as the postgres OS user (peer auth on a fresh Debian install): the
      # database, and a password so that TCP logins work whatever pg_hba.conf says.
      # (Several harnesses may prepare at once: a lost CREATE race is fine, a missing database not.)
      su postgres -c "psql -qc 'CREATE DATABASE canteen'" >/dev/null 2>&1 || true
      su postgres -c "psql -qtAc \"SELECT 1 FROM pg_database WHERE datname='canteen'\"" | grep -q 1 ||
        die "could not create the PostgreSQL database 'canteen'"
      su postgres -c "psql -qc \"ALTER USER postgres PASSWORD 'canteen'\"" >/dev/null ;;
  esac
}

ready() {
  for s in "${servers[@]}"; do listening "$(port_of "$s")" || return 1; done
}

case $cmd in
  install|serve|ready) "$cmd" ;;
  *) die "unknown command '$cmd': expected install, serve or ready" ;;
esac
