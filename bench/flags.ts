// npx tsx bench/flags.ts -- <flags A> -- <flags B>: the cost of Node/V8 flags on the relay. Two relays on the same
// upstream and the same kind of store, one started with flags A and one with flags B (either may be empty), measured
// at c=64 in BENCH_ROUNDS alternated rounds (default 6) of BENCH_DURATION seconds, in BENCH_MODES (default
// json20,sse20; chat is the converted OpenAI chat stream). Node's --env-file=<file> makes it an A/B of settings.
// Example:
//   npx tsx bench/flags.ts -- -- --max-semi-space-size=8
import { alternate, relay } from './ab.js';
import { start, stopAll } from './processes.js';

const ROUNDS = Math.max(1, Number(process.env.BENCH_ROUNDS ?? 6));
const DURATION_S = Number(process.env.BENCH_DURATION ?? 5);
const MODES = (process.env.BENCH_MODES ?? 'json20,sse20').split(',');

/** `-- a1 a2 -- b1`: the flags after the first `--` and after the second. */
function flagSets(argv: string[]): [string[], string[]] {
  const first = argv.indexOf('--');
  const second = argv.indexOf('--', first + 1);
  if (first < 0 || second < 0) throw new Error('usage: npx tsx bench/flags.ts -- <flags A> -- <flags B>');
  return [argv.slice(first + 1, second), argv.slice(second + 1)];
}

async function main(): Promise<void> {
  const [flagsA, flagsB] = flagSets(process.argv.slice(2));
  const [upPort] = await start('./upstream.ts', [], 'stdout');
  const a = await relay(`A: ${flagsA.join(' ') || '(no flags)'}`, upPort, 1, 1, { flags: flagsA });
  const b = await relay(`B: ${flagsB.join(' ') || '(no flags)'}`, upPort, 1, 1, { flags: flagsB });
  console.log(`flags: ${ROUNDS} alternated rounds of ${DURATION_S}s at c=64 per mode, node ${process.version}`);
  await alternate(a, b, ROUNDS, DURATION_S, MODES);
}

main()
  .catch((e) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(stopAll);
