#!/usr/bin/env bash
# Builds the offline bundle: the built relay with its production node_modules (the native better-sqlite3 module
# included, built for this machine's platform and Node.js), the deployment scripts and .env.example, as a tar.gz
# split into parts with checksums.txt. On the target: ./unpack.sh, ./init-env.sh, ./deploy.sh start — no network.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: ./bundle.sh [--out DIR] [--part-size SIZE] [--with-node] [--skip-build]

Writes DIR (default: bundle/):
  claude-relay-service-<version>.tar.gz.part-000, -001, …   the bundle, split (largest part SIZE, default 45M)
  checksums.txt                                             sha256 of every part
  unpack.sh                                                 verifies the parts and unpacks them

Options:
  -o, --out DIR         output directory (default: bundle)
  -s, --part-size SIZE  largest part, as for split -b (default: 45M, under 50 MB)
      --with-node       include this machine's node binary (node/bin/node), for targets without Node.js
      --skip-build      use the existing dist/ instead of running npm run build
  -h, --help            show this help

The target needs the same OS family and CPU architecture (the native module is compiled for them) and, unless
--with-node, Node.js of the same major version as here; BUNDLE.txt inside the bundle records them.
EOF
}

die() {
  echo "bundle.sh: $*" >&2
  exit 1
}

out=bundle
part_size=${PART_SIZE:-45M}
with_node=0
build=1
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
    --with-node) with_node=1 ;;
    --skip-build) build=0 ;;
    -h | --help)
      usage
      exit 0
      ;;
    *)
      echo "bundle.sh: unknown argument: $1" >&2
      usage >&2
      exit 2
      ;;
  esac
  shift
done

cd "$(dirname "${BASH_SOURCE[0]}")"
root=$PWD
command -v node >/dev/null 2>&1 || die "node not found (the bundle is built with the Node.js it will run on)"
command -v npm >/dev/null 2>&1 || die "npm not found"
[[ -f package.json && -f package-lock.json ]] || die "run this in the relay's source checkout (package.json, package-lock.json)"

if [[ $build -eq 1 ]]; then
  if [[ ! -x node_modules/.bin/tsc ]]; then
    echo "bundle.sh: installing dependencies (npm ci)"
    npm ci --no-audit --no-fund
  fi
  echo "bundle.sh: building (npm run build)"
  npm run build
fi
[[ -f dist/main.js ]] || die "dist/main.js not found: run npm run build (or drop --skip-build)"
[[ -d node_modules ]] || die "node_modules not found: run npm ci"

version=$(node -p 'require("./package.json").version')
name="claude-relay-service-$version"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/claude-relay-service"
mkdir -p "$stage"

echo "bundle.sh: staging $name"
cp -R dist package.json package-lock.json .env.example deploy.sh init-env.sh "$stage/"
for f in README.md LICENSE docker-compose.yml; do
  if [[ -f $f ]]; then cp "$f" "$stage/"; fi
done
# Production dependencies: the packages of this checkout's node_modules (native module already built) that
# npm lists without dev dependencies; then every dependency of every copied package must resolve.
mkdir -p "$stage/node_modules"
npm ls --omit=dev --all --parseable 2>/dev/null | while IFS= read -r dir; do
  rel=${dir#"$root"/}
  # The root itself, and packages nested in one already copied, are skipped.
  [[ $rel == node_modules/* && $rel != node_modules/*/node_modules/* && $rel != node_modules/@*/*/node_modules/* ]] || continue
  mkdir -p "$stage/$(dirname "$rel")"
  cp -R "$dir" "$stage/$rel"
done
[[ -d $stage/node_modules/better-sqlite3 ]] || die "could not list the production dependencies (npm ls --omit=dev failed)"
(cd "$stage" && node -e '
  const fs = require("fs");
  const path = require("path");
  const missing = [];
  const visit = (dir) => {
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(".")) continue;
      const p = path.join(dir, name);
      if (name.startsWith("@")) { visit(p); continue; }
      const manifest = path.join(p, "package.json");
      if (!fs.existsSync(manifest)) continue;
      const pkg = JSON.parse(fs.readFileSync(manifest, "utf8"));
      for (const dep of Object.keys(pkg.dependencies ?? {})) {
        // Node resolves a bare name in node_modules/<name> of the package or of any folder above it.
        let found = false;
        for (let d = p; !found && d !== path.dirname(d); d = path.dirname(d)) found = fs.existsSync(path.join(d, "node_modules", dep, "package.json"));
        if (!found) missing.push(pkg.name + " -> " + dep);
      }
      if (fs.existsSync(path.join(p, "node_modules"))) visit(path.join(p, "node_modules"));
    }
  };
  visit(path.resolve("node_modules"));
  if (missing.length) { console.error("missing dependencies:\n  " + missing.join("\n  ")); process.exit(1); }
') || die "the staged node_modules is incomplete (see above)"
# The compiled addon is all better-sqlite3 needs at run time: drop its sources and build intermediates (~25 MB).
sqlite_mod="$stage/node_modules/better-sqlite3"
if [[ -f $sqlite_mod/build/Release/better_sqlite3.node ]]; then
  find "$sqlite_mod/build" -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} +
  find "$sqlite_mod/build/Release" -mindepth 1 -maxdepth 1 ! -name better_sqlite3.node -exec rm -rf {} +
  rm -rf "$sqlite_mod/deps" "$sqlite_mod/src"
fi
find "$stage/node_modules" -mindepth 1 -type d -empty -delete
(cd "$stage" && node -e 'const D = require("better-sqlite3"); new D(":memory:").close()') ||
  die "better-sqlite3 does not load from the staged node_modules (run npm rebuild better-sqlite3 and try again)"

if [[ $with_node -eq 1 ]]; then
  mkdir -p "$stage/node/bin"
  cp "$(command -v node)" "$stage/node/bin/node"
fi

# shellcheck disable=SC2016 # JavaScript template literals, not shell expansions
node -e '
  const r = process.report.getReport();
  const lines = [
    `claude-relay-service ${process.argv[1]}`,
    `built: ${new Date().toISOString()}`,
    `node: ${process.version} (modules ABI ${process.versions.modules})${process.argv[2] === "1" ? ", included in node/bin/node" : ""}`,
    `platform: ${process.platform}-${process.arch}, glibc ${r.header.glibcVersionRuntime ?? "n/a"}`,
    "",
    "Start: ./init-env.sh (once), then ./deploy.sh start. See README.md.",
  ];
  require("fs").writeFileSync(process.argv[3], lines.join("\n") + "\n");
' "$version" "$with_node" "$stage/BUNDLE.txt"

mkdir -p "$out"
rm -f "$out"/claude-relay-service-*.tar.gz.part-* "$out/checksums.txt" "$out/unpack.sh"
echo "bundle.sh: packing"
tar -czf - -C "$work" claude-relay-service | split -b "$part_size" -d -a 3 - "$out/$name.tar.gz.part-"
(
  cd "$out"
  sha256sum -- "$name".tar.gz.part-* >checksums.txt
)
cp "$root/scripts/unpack-bundle.sh" "$out/unpack.sh"
chmod +x "$out/unpack.sh"

parts=$(wc -l <"$out/checksums.txt")
echo "bundle.sh: wrote $parts part(s), checksums.txt and unpack.sh to $out/"
echo "bundle.sh: on the target: ./unpack.sh && cd claude-relay-service && ./init-env.sh && ./deploy.sh start"
