#!/usr/bin/env bash
# Writes .env from .env.example with strong random secrets. Never replaces an existing .env without --force.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./init-env.sh [--force]

Writes .env (mode 600) from .env.example, with freshly generated secrets:
  JWT_SECRET      48 random bytes, base64
  ENCRYPTION_KEY  32 random hex characters (seals account secrets; keep it: changing it invalidates them)
  REDIS_PASSWORD  32 random letters and digits (the Redis container of docker-compose.yml uses it)

Options:
  -f, --force   replace an existing .env (the old one is kept as .env.bak-<time>)
  -h, --help    show this help
EOF
}

die() {
  echo "init-env.sh: $*" >&2
  exit 1
}

force=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    -f | --force) force=1 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "init-env.sh: unknown argument: $1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

cd "$(dirname "${BASH_SOURCE[0]}")"
[[ -f .env.example ]] || die ".env.example not found in $PWD"
if [[ -e .env && $force -ne 1 ]]; then
  die ".env already exists in $PWD; not touching it (pass --force to replace it; the old one is kept as a backup)"
fi
[[ -r /dev/urandom ]] || die "/dev/urandom is not readable"

random_bytes() { head -c "$1" /dev/urandom; }
jwt_secret=$(random_bytes 48 | base64 | tr -d '\n')
encryption_key=$(random_bytes 16 | od -An -tx1 | tr -d ' \n')
redis_password=$(random_bytes 48 | base64 | tr -d '/+=\n' | cut -c1-32)
[[ ${#jwt_secret} -eq 64 && ${#encryption_key} -eq 32 && ${#redis_password} -ge 24 ]] || die "could not generate secrets"

umask 077
tmp=$(mktemp .env.XXXXXX)
trap 'rm -f "$tmp"' EXIT
# Replace the (empty) lines of the three secrets; append any the example lacks.
awk -v jwt="$jwt_secret" -v enc="$encryption_key" -v redis="$redis_password" '
  /^JWT_SECRET=/ { print "JWT_SECRET=" jwt; seen["jwt"] = 1; next }
  /^ENCRYPTION_KEY=/ { print "ENCRYPTION_KEY=" enc; seen["enc"] = 1; next }
  /^REDIS_PASSWORD=/ { print "REDIS_PASSWORD=" redis; seen["redis"] = 1; next }
  { print }
  END {
    if (!seen["jwt"]) print "JWT_SECRET=" jwt
    if (!seen["enc"]) print "ENCRYPTION_KEY=" enc
    if (!seen["redis"]) print "REDIS_PASSWORD=" redis
  }
' .env.example >"$tmp"
chmod 600 "$tmp"

if [[ -e .env ]]; then
  backup=".env.bak-$(date +%Y%m%d-%H%M%S)"
  cp -p .env "$backup"
  chmod 600 "$backup"
  echo "init-env.sh: the previous .env is kept as $backup"
fi
mv "$tmp" .env
trap - EXIT

echo "init-env.sh: wrote $PWD/.env (mode 600) with new JWT_SECRET, ENCRYPTION_KEY and REDIS_PASSWORD."
echo "init-env.sh: keep a copy of ENCRYPTION_KEY somewhere safe: stored account secrets and relay keys depend on it."
