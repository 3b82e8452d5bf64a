#!/usr/bin/env bash
# Builds the relay's Docker image (Dockerfile at the repository root).
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: ./build.sh [--tag IMAGE] [--no-cache] [--registry URL]

Builds the Docker image of the relay from this directory (needs a running Docker engine).

Options:
  -t, --tag IMAGE    image name (default: $RELAY_IMAGE or claude-relay-service:latest)
      --no-cache     build without Docker's layer cache
      --registry URL npm registry the build uses (plan B: a local npm mirror inside the intranet;
                     default: $NPM_REGISTRY, or npm's own default)
  -h, --help         show this help

Next: ./export-images.sh to carry the image into the intranet, or ./deploy.sh start on this machine.
EOF2
}

die() {
  echo "build.sh: $*" >&2
  exit 1
}

image=${RELAY_IMAGE:-claude-relay-service:latest}
registry=${NPM_REGISTRY:-}
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    -t | --tag)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      image=$2
      shift
      ;;
    --no-cache) extra+=(--no-cache) ;;
    --registry)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      registry=$2
      shift
      ;;
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

cd "$(dirname "${BASH_SOURCE[0]}")"
command -v docker >/dev/null 2>&1 || die "docker is not installed (build on a machine with Docker, or use the offline bundle: ./bundle.sh)"
docker info >/dev/null 2>&1 || die "no Docker engine answers ('docker info' failed); start Docker, or build elsewhere and carry the image in with ./export-images.sh and ./load-images.sh"
[[ -f Dockerfile ]] || die "Dockerfile not found in $PWD"

if [[ -n $registry ]]; then
  extra+=(--build-arg "NPM_REGISTRY=$registry")
fi
echo "build.sh: building $image"
docker build -t "$image" "${extra[@]}" .
echo "build.sh: built $image"
