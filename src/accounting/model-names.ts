// Model-name normalisation for price lookup: the spellings clients and cloud vendors use, reduced to table keys.

/** Vendor/API prefixes removed before lookup (LiteLLM-style routing prefixes and Gemini's resource prefix). */
const PREFIXES = ['anthropic/', 'openai/', 'gemini/', 'google/', 'models/', 'vertex_ai/', 'bedrock/'];
/** Bedrock cross-region inference-profile prefixes (`us.anthropic.claude-…`). */
const REGION_PREFIX = /^(us|eu|apac|global|jp|au|us-gov)\./;
/** `-YYYYMMDD` (Anthropic), `-YYYY-MM-DD` (OpenAI) or `-latest`. */
const DATE_SUFFIX = /-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$/;

/**
 * The names to try for `model`, in order. Each rule works on the result of the previous one:
 * exact → lowercase → without a trailing `[1m]` → without vendor prefixes (`anthropic/`, `models/`, Bedrock
 * `us.anthropic.` …) → without a Bedrock `:0` → without a Bedrock `-v1` (so `-v1:0` goes in two steps and
 * `claude-v2:1` still finds `claude-v2`), with Vertex `@date` as `-date` and `claude-sonnet-4.5` spelled
 * `claude-sonnet-4-5` → without a date or `-latest` suffix. Duplicates are dropped.
 */
export function nameCandidates(model: string): string[] {
  const lower = model.trim().toLowerCase();
  const no1m = lower.replace(/\[1m\]$/, '');
  const noPrefix = stripPrefixes(no1m);
  const noColon = noPrefix.replace(/:\d+$/, '');
  const bare = claudeHyphens(
    noColon
      .replace(/-v\d+$/, '')
      .replace(/@(\d{8})$/, '-$1')
      .replace(/@.*$/, ''),
  );
  const undated = bare.replace(DATE_SUFFIX, '');
  return [...new Set([model, lower, no1m, noPrefix, noColon, bare, undated])];
}

function stripPrefixes(name: string): string {
  let s = name;
  for (let prev = ''; prev !== s;) {
    prev = s;
    for (const p of PREFIXES) if (s.startsWith(p)) s = s.slice(p.length);
    s = s.replace(REGION_PREFIX, '');
    if (s.startsWith('anthropic.')) s = s.slice('anthropic.'.length);
  }
  return s;
}

/** Some clients write Claude versions with dots (`claude-opus-4.1`); table keys use hyphens. */
function claudeHyphens(name: string): string {
  return name.startsWith('claude-') ? name.replace(/(\d)\.(\d)/g, '$1-$2') : name;
}

export const CLAUDE_FAMILIES = ['opus', 'sonnet', 'haiku'] as const;
export type ClaudeFamily = (typeof CLAUDE_FAMILIES)[number];

/** The Claude family a (lowercased) name mentions, if any. */
export function claudeFamilyOf(name: string): ClaudeFamily | null {
  const lower = name.toLowerCase();
  return CLAUDE_FAMILIES.find((f) => lower.includes(f)) ?? null;
}

/**
 * The newest model of each Claude family among `keys`: only plain Anthropic ids (`claude-…`) count, ordered by
 * the version numbers in the name (a date suffix ignored), so `claude-opus-5-5` > `claude-opus-5` > `claude-opus-4-8`.
 * Ties (aliases of one version) go to the shorter, then alphabetically first key.
 */
export function newestPerFamily(keys: Iterable<string>): Map<ClaudeFamily, string> {
  const best = new Map<ClaudeFamily, { key: string; version: number[] }>();
  for (const key of keys) {
    if (!key.startsWith('claude-')) continue;
    const family = claudeFamilyOf(key);
    if (!family) continue;
    const version = (key.replace(DATE_SUFFIX, '').match(/\d+/g) ?? []).map(Number);
    const cur = best.get(family);
    if (!cur || isNewer(version, key, cur.version, cur.key)) best.set(family, { key, version });
  }
  return new Map([...best].map(([f, v]) => [f, v.key]));
}

function isNewer(v: number[], key: string, curV: number[], curKey: string): boolean {
  for (let i = 0; i < Math.max(v.length, curV.length); i++) {
    const d = (v[i] ?? 0) - (curV[i] ?? 0);
    if (d !== 0) return d > 0;
  }
  if (key.length !== curKey.length) return key.length < curKey.length;
  return key < curKey;
}

/** Longest model name recorded; real ones are under 100 characters. */
export const MAX_RECORDED_MODEL_LENGTH = 200;
const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

/**
 * The model name as usage records it: control and other non-printable characters replaced by U+FFFD, at most
 * MAX_RECORDED_MODEL_LENGTH characters. A second line of defence behind the validation at the HTTP edge: a
 * recorded name becomes store fields, log lines, report rows and CSV cells.
 */
export function recordedModelName(model: string): string {
  // The usual case (a printable ASCII name the relay already checked) needs no rewriting.
  if (model.length <= MAX_RECORDED_MODEL_LENGTH && PRINTABLE_ASCII.test(model)) return model;
  // \p{C}: control, format, unassigned, private use and surrogate code points; \p{Z} except the plain space.
  const clean = model.replace(/[\p{C}\p{Zl}\p{Zp}]/gu, '\uFFFD');
  const chars = Array.from(clean);
  return chars.length <= MAX_RECORDED_MODEL_LENGTH ? clean : chars.slice(0, MAX_RECORDED_MODEL_LENGTH).join('');
}
