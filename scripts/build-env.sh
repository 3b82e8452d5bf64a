#!/usr/bin/env bash
# Runs inside the image build (Dockerfile, build stage) before anything is downloaded: makes apt and npm work in an
# intranet. CA certificates of a TLS-inspecting proxy (PEM files in certs/) are trusted by apt, npm and, at run
# time, the relay (NODE_EXTRA_CA_CERTS); apt uses a Debian mirror; npm uses an npm mirror. Each part is optional.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: build-env.sh [--root DIR] [--certs DIR] [--debian-mirror URL] [--npm-registry URL]

Prepares an image build for an intranet (the Dockerfile runs it; build.sh and docker compose pass the values):
  --certs DIR          every *.crt / *.pem file there (PEM CA certificates) goes into ROOT/etc/ssl/crs-extra-ca.pem,
                       which apt (Acquire::https::CAInfo), npm and the relay (NODE_EXTRA_CA_CERTS) then trust;
                       the file is written empty when there are none (default: /tmp/certs)
  --debian-mirror URL  apt downloads from URL instead of the image's default: the root that serves debian/ and
                       debian-security/ (default: $DEBIAN_MIRROR; empty = unchanged)
  --npm-registry URL   npm's registry (ROOT/usr/local/etc/npmrc; default: $NPM_REGISTRY; empty = unchanged)
  --root DIR           the file system to change (default: /; tests point it elsewhere)
  -h, --help           show this help
EOF
}

die() {
  echo "build-env.sh: $*" >&2
  exit 1
}

root=/
certs=/tmp/certs
mirror=${DEBIAN_MIRROR:-}
registry=${NPM_REGISTRY:-}
while [[ $# -gt 0 ]]; do
  case "$1" in
    --root | --certs | --debian-mirror | --npm-registry)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        --root) root=$2 ;;
        --certs) certs=$2 ;;
        --debian-mirror) mirror=$2 ;;
        --npm-registry) registry=$2 ;;
      esac
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "build-env.sh: unknown argument: $1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done
root=${root%/}

# --- CA certificates ------------------------------------------------------------------------------------------------
bundle="$root/etc/ssl/crs-extra-ca.pem"
mkdir -p "$root/etc/ssl"
: >"$bundle"
count=0
if [[ -d $certs ]]; then
  while IFS= read -r -d '' file; do
    grep -q -- '-----BEGIN CERTIFICATE-----' "$file" || die "$file holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)"
    cat -- "$file" >>"$bundle"
    printf '\n' >>"$bundle"
    count=$((count + 1))
  done < <(find "$certs" -maxdepth 1 -type f \( -name '*.crt' -o -name '*.pem' \) -print0 | sort -z)
fi
if [[ $count -gt 0 ]]; then
  # apt verifies https mirrors against one file: the system's bundle (when the image has one) plus the extra CAs.
  apt_bundle="$root/etc/ssl/crs-apt-ca.pem"
  system="$root/etc/ssl/certs/ca-certificates.crt"
  if [[ -f $system ]]; then cat -- "$system" "$bundle" >"$apt_bundle"; else cp -- "$bundle" "$apt_bundle"; fi
  mkdir -p "$root/etc/apt/apt.conf.d"
  printf 'Acquire::https::CAInfo "%s";\n' "/etc/ssl/crs-apt-ca.pem" >"$root/etc/apt/apt.conf.d/99crs-extra-ca"
  echo "build-env.sh: trusting $count extra CA certificate file(s) for apt, npm and the relay"
fi

# --- Debian mirror --------------------------------------------------------------------------------------------------
if [[ -n $mirror ]]; then
  [[ $mirror =~ ^https?://[^[:space:]]+$ ]] || die "--debian-mirror must be an http:// or https:// URL (got $mirror)"
  base=${mirror%/}
  changed=0
  # deb822 sources (URIs: scheme://host/path) and one-line sources (deb [options] scheme://host/path suite …): the
  # host part is replaced, the path (debian, debian-security) kept.
  for f in "$root"/etc/apt/sources.list.d/*.sources; do
    [[ -f $f ]] || continue
    sed -i -E "s#^(URIs:[[:space:]]*)[a-z]+://[^/[:space:]]+/#\\1${base}/#" "$f"
    changed=$((changed + 1))
  done
  for f in "$root/etc/apt/sources.list" "$root"/etc/apt/sources.list.d/*.list; do
    [[ -f $f ]] || continue
    sed -i -E "s#^(deb(-src)?([[:space:]]+\\[[^]]*\\])?[[:space:]]+)[a-z]+://[^/[:space:]]+/#\\1${base}/#" "$f"
    changed=$((changed + 1))
  done
  [[ $changed -gt 0 ]] || die "no apt sources found under $root/etc/apt to point at $base"
  echo "build-env.sh: apt uses the Debian mirror $base"
fi

# --- npm registry ---------------------------------------------------------------------------------------------------
if [[ -n $registry ]]; then
  [[ $registry =~ ^https?://[^[:space:]]+$ ]] || die "--npm-registry must be an http:// or https:// URL (got $registry)"
  mkdir -p "$root/usr/local/etc"
  npmrc="$root/usr/local/etc/npmrc"
  touch "$npmrc"
  sed -i -E '/^registry[[:space:]]*=/d' "$npmrc"
  printf 'registry=%s\n' "$registry" >>"$npmrc"
  echo "build-env.sh: npm uses the registry $registry"
fi
