#!/usr/bin/env bash
# Starts, stops and inspects the relay: with Docker Compose (relay + Redis containers) when a Docker engine
# answers, otherwise natively (node dist/main.js in the background, pid file and logs under the data directory).
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./deploy.sh [--native|--compose] COMMAND [options]

Commands:
  start [--build]       start the relay and wait until /health answers; with Docker Compose the image is built
                        first when it is not there yet (plan B: NPM_REGISTRY, DEBIAN_MIRROR, NODE_IMAGE of .env,
                        CA certificates in certs/), or always with --build
  stop                  stop it (open requests may finish first: SHUTDOWN_TIMEOUT_MS, default 30 s)
  restart               stop, then start
  status                running or not, and what /health says (exit 0 only when running and healthy)
  logs [--no-follow]    show the relay's log (follows it unless --no-follow)
  clean [-y]            stop and delete ./data (database, logs, Redis data, backups); asks first unless -y

Mode: Docker Compose (docker-compose.yml: claude-relay-service + claude-relay-redis) when 'docker info'
succeeds, else native: node dist/main.js with the store the .env configures (Redis when REDIS_URL or REDIS_HOST
is set, else SQLite in data/app/relay.db), pid file data/relay.pid, logs in data/logs.
Force a mode with --native / --compose or DEPLOY_MODE=native|compose.

Environment: START_TIMEOUT (seconds to wait for /health, default 60), RELAY_IMAGE, REDIS_IMAGE.
NODE_EXTRA_CA_CERTS of .env (a PEM file of extra CAs, e.g. a TLS-inspecting proxy's) reaches the native relay.
Run ./init-env.sh once before the first start.
EOF
}

say() { echo "deploy.sh: $*"; }
die() {
  echo "deploy.sh: $*" >&2
  exit 1
}

cd "$(dirname "${BASH_SOURCE[0]}")"

# --- configuration: the real environment wins over .env, as in the relay itself -------------------------------------
env_value() { # NAME DEFAULT
  local name=$1 default=${2:-} line value
  if [[ -n ${!name:-} ]]; then
    printf '%s' "${!name}"
    return
  fi
  if [[ -f .env ]]; then
    line=$(grep -E "^[[:space:]]*(export[[:space:]]+)?${name}=" .env | tail -n 1 || true)
    if [[ -n $line ]]; then
      value=${line#*=}
      value=${value%$'\r'}
      if [[ $value =~ ^\"(.*)\"$ || $value =~ ^\'(.*)\'$ ]]; then value=${BASH_REMATCH[1]}; fi
      if [[ -n $value ]]; then
        printf '%s' "$value"
        return
      fi
    fi
  fi
  printf '%s' "$default"
}

data_dir=$(env_value DATA_DIR ./data)
pid_file="$data_dir/relay.pid"
start_timeout=${START_TIMEOUT:-60}

health_host() {
  local host
  host=$(env_value BIND_HOST "$(env_value HOST 0.0.0.0)")
  case "$host" in 0.0.0.0 | :: | '[::]' | '') host=127.0.0.1 ;; esac
  printf '%s' "$host"
}

# GET /health without curl or node: prints "<status code> <body>"; fails when nothing answers.
fetch_health() { # HOST PORT
  local response
  response=$(
    exec 2>/dev/null
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf 'GET /health HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n' "$1" >&3
    timeout 5 cat <&3
  ) || return 1
  local code body
  code=$(printf '%s' "$response" | head -n 1 | awk '{ print $2 }')
  body=$(printf '%s' "$response" | awk 'found { print } /^\r?$/ { found = 1 }')
  [[ -n $code ]] || return 1
  printf '%s %s' "$code" "$body"
}

report_health() { # prints a line; returns 0 when healthy
  local host port result code body
  host=$(health_host)
  port=$(env_value PORT 3000)
  if ! result=$(fetch_health "$host" "$port"); then
    say "health: http://$host:$port/health does not answer"
    return 1
  fi
  code=${result%% *}
  body=${result#* }
  say "health: http://$host:$port/health -> HTTP $code $body"
  [[ $code == 200 ]]
}

wait_healthy() { # PID-OR-EMPTY: waits up to start_timeout seconds
  local pid=${1:-} host port deadline result
  host=$(health_host)
  port=$(env_value PORT 3000)
  deadline=$((SECONDS + start_timeout))
  while ((SECONDS < deadline)); do
    if [[ -n $pid ]] && ! alive "$pid"; then return 2; fi
    if result=$(fetch_health "$host" "$port") && [[ ${result%% *} == 200 ]]; then return 0; fi
    sleep 0.3
  done
  return 1
}

confirm_clean() { # ASSUME_YES
  [[ $1 -eq 1 ]] && return 0
  if [[ ! -t 0 ]]; then
    die "clean deletes $data_dir; no terminal to ask on, so nothing was deleted (pass -y to confirm)"
  fi
  local answer
  read -r -p "deploy.sh: delete $data_dir (database, logs, Redis data, backups)? Type 'yes' to confirm: " answer
  [[ $answer == yes ]] || die "not confirmed; nothing was deleted"
}

# --- native mode ----------------------------------------------------------------------------------------------------
node_bin() {
  if [[ -x node/bin/node ]]; then
    printf '%s' "$PWD/node/bin/node"
  elif command -v node >/dev/null 2>&1; then
    command -v node
  else
    die "node not found: install Node.js 20 (or use an offline bundle made with ./bundle.sh --with-node)"
  fi
}

alive() { # PID: running (a zombie waiting for its parent to reap it counts as gone)
  kill -0 "$1" 2>/dev/null || return 1
  [[ ! -r /proc/$1/stat ]] || [[ $(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) != Z ]]
}

native_pid() { # prints the pid of the running relay, or fails
  [[ -f $pid_file ]] || return 1
  local pid
  pid=$(tr -dc '0-9' <"$pid_file")
  [[ -n $pid ]] && alive "$pid" || return 1
  # A recycled pid belongs to some other program: only ours runs dist/main.js.
  if [[ -r /proc/$pid/cmdline ]] && ! tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q 'dist/main.js'; then return 1; fi
  printf '%s' "$pid"
}

store_description() {
  if [[ -n $(env_value REDIS_URL) ]]; then
    echo "redis (REDIS_URL)"
  elif [[ -n $(env_value REDIS_HOST) ]]; then
    echo "redis at $(env_value REDIS_HOST):$(env_value REDIS_PORT 6379)"
  else
    echo "sqlite at $data_dir/app/relay.db"
  fi
}

native_start() {
  local node pid out
  if pid=$(native_pid); then
    say "already running natively (pid $pid)"
    report_health || true
    return 0
  fi
  [[ -f .env ]] || die "no .env in $PWD: run ./init-env.sh first"
  [[ -f dist/main.js ]] || die "dist/main.js not found: run 'npm ci && npm run build' in a source checkout, or unpack the offline bundle"
  [[ -d node_modules ]] || die "node_modules not found: run 'npm ci --omit=dev', or unpack the offline bundle"
  node=$(node_bin)
  "$node" -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' ||
    die "$node is Node.js $("$node" --version); the relay needs Node.js 20 or newer"
  "$node" -e 'const D = require("better-sqlite3"); new D(":memory:").close()' 2>/dev/null ||
    die "the native module better-sqlite3 does not load with $node ($("$node" --version)); use the Node.js version the bundle was built with (see BUNDLE.txt) or run 'npm rebuild better-sqlite3'"
  mkdir -p "$data_dir/logs"
  out="$data_dir/logs/native-stdout.log"
  # Node reads NODE_EXTRA_CA_CERTS from its environment at start only (the relay's .env parsing is too late).
  local ca
  ca=$(env_value NODE_EXTRA_CA_CERTS)
  if [[ -n $ca ]]; then
    [[ -r $ca ]] || die "NODE_EXTRA_CA_CERTS=$ca (from .env) is not a readable file"
    export NODE_EXTRA_CA_CERTS=$ca
    say "trusting the extra CA certificates in $ca"
  fi
  say "mode: native (no Docker engine answered, or --native); store: $(store_description)"
  # The relay writes its own daily log files; stdout keeps only what happens before logging starts.
  LOG_STDOUT=false nohup "$node" dist/main.js >>"$out" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$pid_file"
  local rc=0
  wait_healthy "$pid" || rc=$?
  if [[ $rc -eq 0 ]]; then
    say "started (pid $pid) on http://$(health_host):$(env_value PORT 3000); logs in $data_dir/logs"
    report_health || true
    return 0
  fi
  if [[ $rc -eq 2 ]]; then
    rm -f "$pid_file"
    echo "deploy.sh: the relay exited during start; the end of $out:" >&2
    tail -n 20 "$out" >&2 || true
    exit 1
  fi
  die "the relay (pid $pid) did not answer /health within ${start_timeout}s; see $data_dir/logs (./deploy.sh logs)"
}

native_stop() {
  local pid grace deadline
  if ! pid=$(native_pid); then
    rm -f "$pid_file"
    say "not running (native)"
    return 0
  fi
  grace=$(($(env_value SHUTDOWN_TIMEOUT_MS 30000) / 1000 + 15))
  say "stopping (pid $pid; open requests get up to $((grace - 15)) s to finish)"
  kill -TERM "$pid"
  deadline=$((SECONDS + grace))
  while alive "$pid" && ((SECONDS < deadline)); do sleep 0.2; done
  if alive "$pid"; then
    say "still running after ${grace}s; killing it"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$pid_file"
  say "stopped"
}

native_status() {
  local pid
  say "mode: native"
  if pid=$(native_pid); then
    say "running (pid $pid); store: $(store_description)"
    report_health
  else
    say "not running"
    return 1
  fi
}

latest_log() {
  local dir
  dir=$(env_value LOG_DIR "$data_dir/logs")
  find "$dir" -maxdepth 1 -name 'relay-*.log' 2>/dev/null | sort | tail -n 1
}

native_logs() { # FOLLOW
  local file
  file=$(latest_log)
  [[ -n $file ]] || die "no log file yet in $(env_value LOG_DIR "$data_dir/logs")"
  if [[ $1 -eq 1 ]]; then
    say "following $file (Ctrl-C to stop)"
    tail -n 100 -F "$file"
  else
    tail -n 100 "$file"
  fi
}

# --- compose mode ---------------------------------------------------------------------------------------------------
compose_cmd=()
find_compose() {
  if docker compose version >/dev/null 2>&1; then
    compose_cmd=(docker compose)
  elif command -v docker-compose >/dev/null 2>&1; then
    compose_cmd=(docker-compose)
  else
    die "a Docker engine answers but neither 'docker compose' nor 'docker-compose' is installed"
  fi
}

compose() { "${compose_cmd[@]}" "$@"; }

prepare_data_dirs() {
  mkdir -p "$data_dir/app" "$data_dir/logs" "$data_dir/redis" "$data_dir/backups"
  # The relay container runs as RELAY_UID:RELAY_GID (default 1000:1000); it must be able to write its folders.
  if [[ $(id -u) -eq 0 ]]; then
    chown -R "${RELAY_UID:-1000}:${RELAY_GID:-1000}" "$data_dir/app" "$data_dir/logs" "$data_dir/backups"
  else
    export RELAY_UID=${RELAY_UID:-$(id -u)} RELAY_GID=${RELAY_GID:-$(id -g)}
  fi
}

compose_start() {
  [[ -f .env ]] || die "no .env in $PWD: run ./init-env.sh first"
  [[ -n $(env_value REDIS_PASSWORD) ]] || die "REDIS_PASSWORD is empty in .env: run ./init-env.sh --force (or set it by hand)"
  [[ -f docker-compose.yml ]] || die "docker-compose.yml not found in $PWD"
  prepare_data_dirs
  say "mode: docker compose (a Docker engine answers); containers claude-relay-service and claude-relay-redis"
  local image
  image=$(env_value RELAY_IMAGE claude-relay-service:latest)
  if [[ $build -eq 1 ]] || ! docker image inspect "$image" >/dev/null 2>&1; then
    # Plan B: build here through Compose, with the mirrors of .env (or the environment) as build arguments.
    say "building $image (npm registry: $(env_value NPM_REGISTRY "npm's default"); Debian mirror: $(env_value DEBIAN_MIRROR "the image's default"))"
    export NPM_REGISTRY DEBIAN_MIRROR NODE_IMAGE
    NPM_REGISTRY=$(env_value NPM_REGISTRY) DEBIAN_MIRROR=$(env_value DEBIAN_MIRROR) NODE_IMAGE=$(env_value NODE_IMAGE node:20-bookworm-slim)
    compose build claude-relay-service
  fi
  compose up -d
  if wait_healthy ""; then
    say "started on http://$(health_host):$(env_value PORT 3000)"
    report_health || true
  else
    compose ps || true
    die "the relay did not answer /health within ${start_timeout}s; see ./deploy.sh logs"
  fi
}

compose_stop() {
  say "stopping the containers"
  compose down
  say "stopped"
}

compose_status() {
  say "mode: docker compose"
  compose ps
  report_health
}

compose_logs() { # FOLLOW
  if [[ $1 -eq 1 ]]; then
    compose logs -f --tail=200 claude-relay-service
  else
    compose logs --tail=200 claude-relay-service
  fi
}

# --- dispatch -------------------------------------------------------------------------------------------------------
mode=${DEPLOY_MODE:-}
command=""
follow=1
assume_yes=0
build=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --native) mode=native ;;
    --compose) mode=compose ;;
    -y | --yes) assume_yes=1 ;;
    --no-follow) follow=0 ;;
    --build) build=1 ;;
    -f | --follow) follow=1 ;;
    -h | --help | help)
      usage
      exit 0
      ;;
    start | stop | restart | status | logs | clean)
      [[ -z $command ]] || die "only one command at a time (got $command and $1)"
      command=$1
      ;;
    *)
      echo "deploy.sh: unknown argument: $1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done
[[ -n $command ]] || {
  usage >&2
  exit 2
}

if [[ -z $mode ]]; then
  if native_pid >/dev/null; then
    mode=native # a native relay is running: manage that one
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
    mode=compose
  else
    mode=native
  fi
fi
case "$mode" in
  native) ;;
  compose)
    find_compose
    data_dir=./data # docker-compose.yml mounts ./data whatever DATA_DIR says
    ;;
  *) die "DEPLOY_MODE must be native or compose (got $mode)" ;;
esac

case "$command" in
  start) "${mode}_start" ;;
  stop) "${mode}_stop" ;;
  restart)
    "${mode}_stop"
    "${mode}_start"
    ;;
  status) "${mode}_status" ;;
  logs) "${mode}_logs" "$follow" ;;
  clean)
    confirm_clean "$assume_yes"
    if [[ $mode == compose ]]; then
      compose down -v --remove-orphans
    else
      native_stop
    fi
    rm -rf "$data_dir" || die "could not delete all of $data_dir (files written by a container may need sudo rm -rf $data_dir)"
    say "deleted $data_dir"
    ;;
esac
