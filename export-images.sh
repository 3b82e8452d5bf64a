#!/usr/bin/env bash
# Saves the relay and Redis images gzip-compressed into images/, split into parts small enough for Git or a USB
# stick, with images/checksums.txt (sha256) so load-images.sh can verify them on the other side.
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: ./export-images.sh [--out DIR] [--part-size SIZE]

Saves these images (docker save | gzip), split into parts, into DIR (default: images/):
  $RELAY_IMAGE  (default claude-relay-service:latest; build it with ./build.sh) → claude-relay-service.tar.gz.part-000, …
  $REDIS_IMAGE  (default redis:7-alpine; docker pull it first)                → redis.tar.gz.part-000, …
and writes DIR/checksums.txt (sha256 of every part) and DIR/images.txt (which parts make which image).
Carry DIR into the intranet (plan A keeps it in git: git add images/), then run ./load-images.sh there, or by
hand: sha256sum -c checksums.txt, then cat claude-relay-service.tar.gz.part-* | gunzip | docker load (same for redis).

Options:
  -o, --out DIR         output directory (default: images)
  -s, --part-size SIZE  largest part, as for split -b (default: 45M, under 50 MB)
  -h, --help            show this help
EOF2
}

die() {
  echo "export-images.sh: $*" >&2
  exit 1
}

out=images
part_size=${PART_SIZE:-45M}
while [[ $# -gt 0 ]]; do
  case "$1" in
    -o | --out)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      out=$2
      shift
      ;;
    -s | --part-size)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      part_size=$2
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "export-images.sh: unknown argument: $1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

cd "$(dirname "${BASH_SOURCE[0]}")"
relay_image=${RELAY_IMAGE:-claude-relay-service:latest}
redis_image=${REDIS_IMAGE:-redis:7-alpine}
command -v docker >/dev/null 2>&1 || die "docker is not installed"
docker info >/dev/null 2>&1 || die "no Docker engine answers ('docker info' failed)"
for image in "$relay_image" "$redis_image"; do
  docker image inspect "$image" >/dev/null 2>&1 ||
    die "image $image not found locally (relay: run ./build.sh; redis: docker pull $image)"
done

# Archive names: the image's repository name without registry and tag (claude-relay-service, redis), the names
# the guide's manual docker load lines use; the full name when two images would share one.
archive_name() { # IMAGE OTHER-IMAGE
  local short other
  short=$(printf '%s' "${1%%@*}" | sed -E 's#^.*/##; s#:[^:]*$##')
  other=$(printf '%s' "${2%%@*}" | sed -E 's#^.*/##; s#:[^:]*$##')
  if [[ -z $short || $short == "$other" ]]; then short=$(printf '%s' "$1" | tr '/:@' '___'); fi
  printf '%s' "$short"
}

mkdir -p "$out"
# Parts of an earlier export would be mixed with the new ones.
rm -f "$out"/*.tar.gz.part-* "$out/checksums.txt" "$out/images.txt"

: >"$out/images.txt"
for image in "$relay_image" "$redis_image"; do
  if [[ $image == "$relay_image" ]]; then name=$(archive_name "$image" "$redis_image"); else name=$(archive_name "$image" "$relay_image"); fi
  echo "export-images.sh: saving $image"
  docker save "$image" | gzip -c | split -b "$part_size" -d -a 3 - "$out/$name.tar.gz.part-"
  printf '%s %s\n' "$name.tar.gz" "$image" >>"$out/images.txt"
done

(
  cd "$out"
  sha256sum -- *.tar.gz.part-* >checksums.txt
)
parts=$(wc -l <"$out/checksums.txt")
echo "export-images.sh: wrote $parts parts, $out/checksums.txt and $out/images.txt"
du -ch "$out"/*.tar.gz.part-* | tail -n 1 | sed 's/^/export-images.sh: total /'
echo "export-images.sh: next: git add $out/ && git commit (plan A), or copy $out/ across; inside: ./load-images.sh"
