// The relay as deployed runs compiled JavaScript, not under the TypeScript loader (which costs start-up time and
// tens of MB of memory). This transpiles src/ and the bench's relay script into bench/.build/ with the same layout
// as the build (package.json and the pricing table beside them), in about a second, without type checking.
import { build } from 'esbuild';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));

function tsFiles(dir: string, acc: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) tsFiles(p, acc);
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts')) acc.push(p);
  }
  return acc;
}

/** Compiles and returns the path of the given bench script's JavaScript; `root` is the checkout (default: this one). */
export async function compileRelay(script = 'bench/relay-server.ts', root = here): Promise<string> {
  const out = join(root, 'bench/.build');
  const entry = join(root, script);
  rmSync(out, { recursive: true, force: true });
  await build({
    entryPoints: [...tsFiles(join(root, 'src')), entry],
    outdir: out,
    outbase: root,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'warning',
  });
  cpSync(join(root, 'package.json'), join(out, 'package.json'));
  mkdirSync(join(out, 'src/accounting/pricing'), { recursive: true });
  for (const f of readdirSync(join(root, 'src/accounting/pricing'))) {
    if (f.endsWith('.json')) cpSync(join(root, 'src/accounting/pricing', f), join(out, 'src/accounting/pricing', f));
  }
  return join(out, relative(root, entry).replace(/\.ts$/, '.js'));
}
