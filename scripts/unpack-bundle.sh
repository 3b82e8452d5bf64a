#!/usr/bin/env bash
# Shipped as unpack.sh next to the offline bundle's parts: verifies every part against checksums.txt, then joins
# and unpacks them into ./claude-relay-service (or --into DIR). Refuses on a missing or damaged part.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./unpack.sh [--into DIR]

Checks the sha256 of every part in checksums.txt (next to this script), then unpacks the bundle into DIR
(default: the current directory), which gets a claude-relay-service/ folder. Next:
  cd claude-relay-service && ./init-env.sh && ./deploy.sh start

Options:
  -i, --into DIR   where to unpack (default: .)
  -h, --help       show this help
EOF
}

die() {
  echo "unpack.sh: $*" >&2
  exit 1
}

into=.
while [[ $# -gt 0 ]]; do
  case "$1" in
    -i | --into)
      [[ $# -ge 2 ]] || die "$1 needs a value"
      into=$2
      shift
      ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "unpack.sh: unknown argument: $1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
sums="$here/checksums.txt"
[[ -f $sums ]] || die "checksums.txt not found next to unpack.sh ($here)"

declare -a parts=()
while read -r expected file || [[ -n ${expected:-} ]]; do
  [[ -z ${expected:-} ]] && continue
  file=${file#\*}
  [[ $expected =~ ^[0-9a-f]{64}$ && -n $file && $file != */* ]] || die "checksums.txt: malformed line: $expected $file"
  [[ -f $here/$file ]] || die "missing part: $file (listed in checksums.txt); copy it again"
  actual=$(sha256sum -- "$here/$file" | cut -d' ' -f1)
  [[ $actual == "$expected" ]] ||
    die "checksum mismatch: $file is damaged or incomplete (expected sha256 $expected, got $actual); copy it again. Nothing was unpacked."
  parts+=("$here/$file")
done <"$sums"
[[ ${#parts[@]} -gt 0 ]] || die "checksums.txt lists no parts"
echo "unpack.sh: all ${#parts[@]} parts match checksums.txt"

mkdir -p "$into"
mapfile -t parts < <(printf '%s\n' "${parts[@]}" | sort)
cat -- "${parts[@]}" | tar -xzf - -C "$into"
echo "unpack.sh: unpacked into $(cd "$into" && pwd)/claude-relay-service"
echo "unpack.sh: next: cd $(cd "$into" && pwd)/claude-relay-service && ./init-env.sh && ./deploy.sh start"
