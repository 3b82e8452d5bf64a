#!/usr/bin/env bash
# Verifies the image parts written by export-images.sh against images/checksums.txt, then reassembles each
# image and loads it into Docker. Nothing is loaded when any part is missing or damaged.
set -euo pipefail

usage() {
  cat <<'EOF2'
Usage: ./load-images.sh [--dir DIR]

Checks the sha256 of every part listed in DIR/checksums.txt (default DIR: images), refuses if one is missing or
differs, then joins the parts of each image and runs docker load. Next: ./init-env.sh, then ./deploy.sh start.

Options:
  -d, --dir DIR   directory holding the parts, checksums.txt and images.txt (default: images)
  -h, --help      show this help
EOF2
}

die() {
  echo "load-images.sh: $*" >&2
  exit 1
}

dir=images
while [[ $# -gt 0 ]]; do
  case "$1" in
    -d | --dir)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      dir=$2
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "load-images.sh: unknown argument: $1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

cd "$(dirname "${BASH_SOURCE[0]}")"
[[ -d $dir ]] || die "directory $dir not found (copy the images/ folder made by ./export-images.sh here)"
[[ -f $dir/checksums.txt ]] || die "$dir/checksums.txt not found (copy it together with the parts)"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum not found (install coreutils)"

# 1. Every listed part is present and intact.
declare -a parts=()
while read -r expected file || [[ -n ${expected:-} ]]; do
  [[ -z ${expected:-} ]] && continue
  file=${file#\*}
  [[ $expected =~ ^[0-9a-f]{64}$ && -n $file && $file != */* ]] || die "$dir/checksums.txt: malformed line: $expected $file"
  [[ -f $dir/$file ]] || die "missing part: $dir/$file (listed in checksums.txt); copy it again"
  actual=$(sha256sum -- "$dir/$file" | cut -d' ' -f1)
  if [[ $actual != "$expected" ]]; then
    die "checksum mismatch: $dir/$file is damaged or incomplete (expected sha256 $expected, got $actual); copy it again. Nothing was loaded."
  fi
  parts+=("$file")
done <"$dir/checksums.txt"
[[ ${#parts[@]} -gt 0 ]] || die "$dir/checksums.txt lists no parts"
echo "load-images.sh: all ${#parts[@]} parts match checksums.txt"

# 2. Which archives the parts make (images.txt names their images; without it, group by file name).
declare -a archives=()
for file in "${parts[@]}"; do
  archive=${file%.part-*}
  [[ " ${archives[*]} " == *" $archive "* ]] || archives+=("$archive")
done

command -v docker >/dev/null 2>&1 || die "docker is not installed"
docker info >/dev/null 2>&1 || die "no Docker engine answers ('docker info' failed); start Docker and run this again"

for archive in "${archives[@]}"; do
  declare -a mine=()
  for file in "${parts[@]}"; do
    [[ ${file%.part-*} == "$archive" ]] && mine+=("$dir/$file")
  done
  # The numeric suffixes (-000, -001, …) sort in order.
  mapfile -t mine < <(printf '%s\n' "${mine[@]}" | sort)
  image=$archive
  if [[ -f $dir/images.txt ]]; then
    image=$(awk -v a="$archive" '$1 == a { print $2 }' "$dir/images.txt")
    [[ -n $image ]] || image=$archive
  fi
  echo "load-images.sh: loading $image from ${#mine[@]} part(s)"
  cat -- "${mine[@]}" | docker load
  unset mine
done
echo "load-images.sh: done. Next: ./init-env.sh (once), then ./deploy.sh start"
