// Copies the non-TypeScript files the built relay reads at run time (pricing table) into dist/.
import { cpSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const ASSETS = [{ from: 'src/accounting/pricing', to: 'dist/accounting/pricing', match: /\.json$/ }];

for (const a of ASSETS) {
  mkdirSync(a.to, { recursive: true });
  for (const f of readdirSync(a.from)) {
    if (a.match.test(f)) cpSync(join(a.from, f), join(a.to, f));
  }
  console.log(`copied ${a.from}/*.json → ${dirname(a.to + '/x')}`);
}
