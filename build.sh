#!/usr/bin/env bash
# Builds the relay's Docker image (Dockerfile at the repository root).
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: ./build.sh [--tag IMAGE] [--no-cache] [--registry URL] [--debian-mirror URL] [--ca-cert FILE]... [--node-image IMAGE]

Builds the Docker image of the relay from this directory (needs a running Docker engine).

Options:
  -t, --tag IMAGE          image name (default: $RELAY_IMAGE or claude-relay-service:latest)
      --no-cache           build without Docker's layer cache
      --registry URL       npm registry the build uses (plan B: a local npm mirror inside the intranet;
                           default: $NPM_REGISTRY, or npm's own default)
      --debian-mirror URL  Debian mirror apt uses in the build: the root serving debian/ and debian-security/
                           (default: $DEBIAN_MIRROR, or the base image's own sources)
      --ca-cert FILE       a CA certificate (PEM) to trust, for intranets that inspect TLS: copied into certs/,
                           whose files the build trusts for apt and npm, and the relay for its upstream calls
                           (repeatable; certs/ keeps them for later builds, including ./deploy.sh start's)
      --node-image IMAGE   base image (default: $NODE_IMAGE or node:20-bookworm-slim), e.g. from an internal registry
  -h, --help               show this help

The same values in .env (NPM_REGISTRY, DEBIAN_MIRROR, NODE_IMAGE) are used when ./deploy.sh start builds the
image through Docker Compose.

Next: ./export-images.sh to carry the image into the intranet, or ./deploy.sh start on this machine.
EOF2
}

die() {
  echo "build.sh: $*" >&2
  exit 1
}

image=${RELAY_IMAGE:-claude-relay-service:latest}
registry=${NPM_REGISTRY:-}
mirror=${DEBIAN_MIRROR:-}
node_image=${NODE_IMAGE:-}
cas=()
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -t | --tag | --registry | --debian-mirror | --ca-cert | --node-image)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      case "$1" in
        -t | --tag) image=$2 ;;
        --registry) registry=$2 ;;
        --debian-mirror) mirror=$2 ;;
        --ca-cert) cas+=("$2") ;;
        --node-image) node_image=$2 ;;
      esac
      shift
      ;;
    --no-cache) extra+=(--no-cache) ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "build.sh: unknown argument: $1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

# Relative --ca-cert paths are the caller's; resolve them before changing directory.
for i in "${!cas[@]}"; do
  [[ -f ${cas[$i]} && -r ${cas[$i]} ]] || die "--ca-cert ${cas[$i]}: not a readable file"
  grep -q -- '-----BEGIN CERTIFICATE-----' "${cas[$i]}" || die "--ca-cert ${cas[$i]}: not a PEM certificate (no -----BEGIN CERTIFICATE----- line)"
  cas[i]=$(cd "$(dirname "${cas[$i]}")" && printf '%s/%s' "$PWD" "$(basename "${cas[$i]}")")
done

cd "$(dirname "${BASH_SOURCE[0]}")"
command -v docker >/dev/null 2>&1 || die "docker is not installed (build on a machine with Docker, or use the offline bundle: ./bundle.sh)"
docker info >/dev/null 2>&1 || die "no Docker engine answers ('docker info' failed); start Docker, or build elsewhere and carry the image in with ./export-images.sh and ./load-images.sh"
[[ -f Dockerfile ]] || die "Dockerfile not found in $PWD"

if [[ ${#cas[@]} -gt 0 ]]; then
  mkdir -p certs
  for ca in "${cas[@]}"; do
    name=$(basename "$ca")
    name=${name%.*}
    cp -- "$ca" "certs/$name.crt"
    echo "build.sh: trusting $ca (copied to certs/$name.crt)"
  done
fi
if [[ -n $registry ]]; then
  extra+=(--build-arg "NPM_REGISTRY=$registry")
fi
if [[ -n $mirror ]]; then
  extra+=(--build-arg "DEBIAN_MIRROR=$mirror")
fi
if [[ -n $node_image ]]; then
  extra+=(--build-arg "NODE_IMAGE=$node_image")
fi
echo "build.sh: building $image"
docker build -t "$image" "${extra[@]}" .
echo "build.sh: built $image"
