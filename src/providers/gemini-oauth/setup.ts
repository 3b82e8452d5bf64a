// Finds the Code Assist project of a freshly authorised Google account the way Gemini CLI does (PROTOCOLS 3.4,
// 5.6): `loadCodeAssist`; when it names no project, `onboardUser` on the default tier, polled until the long-running
// operation is done (bounded). A tier that needs the user's own Cloud project yields none: the operator enters it.
import { setTimeout as sleep } from 'node:timers/promises';

export interface CodeAssistSetup {
  projectId: string | null;
  tier: string | null;
  /** Why no project was found (shown to the operator), when none was. */
  problem: string | null;
}

export interface SetupOptions {
  fetch: typeof fetch;
  /** Waits between onboarding polls: 0.5 s, doubling, at most 5 s each. */
  pollDelaysMs?: readonly number[];
  timeoutMs?: number;
}

const POLLS_MS = [500, 1000, 2000, 4000, 5000, 5000, 5000, 5000, 5000, 5000, 5000, 5000];
const METADATA = { ideType: 'IDE_UNSPECIFIED', platform: 'PLATFORM_UNSPECIFIED', pluginType: 'GEMINI' };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

async function call(base: string, method: string, accessToken: string, body: Json, o: SetupOptions): Promise<Json> {
  const res = await o.fetch(`${base}/v1internal:${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}`, 'user-agent': 'claude-relay-service' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(o.timeoutMs ?? 30_000),
  });
  const text = await res.text();
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    j = undefined;
  }
  if (!res.ok || !isObject(j)) {
    const msg = isObject(j) && isObject(j.error) && typeof j.error.message === 'string' ? j.error.message : text.slice(0, 200);
    throw new Error(`${method} answered HTTP ${res.status}: ${msg}`);
  }
  return j;
}

/** `cloudaicompanionProject` as loadCodeAssist (a string) or onboardUser (an object with id) names it. */
function projectOf(v: unknown): string | null {
  if (typeof v === 'string' && v) return v;
  if (isObject(v) && typeof v.id === 'string' && v.id) return v.id;
  return null;
}

/** Never throws: a failure becomes `problem`, so the authorisation itself still succeeds. */
export async function discoverProject(base: string, accessToken: string, o: SetupOptions): Promise<CodeAssistSetup> {
  try {
    const load = await call(base, 'loadCodeAssist', accessToken, { metadata: METADATA }, o);
    const current = isObject(load.currentTier) ? load.currentTier : null;
    const known = projectOf(load.cloudaicompanionProject);
    if (known) return { projectId: known, tier: typeof current?.id === 'string' ? current.id : null, problem: null };
    const tiers = Array.isArray(load.allowedTiers) ? (load.allowedTiers as Json[]) : [];
    const tier = current ?? tiers.find((t) => t?.isDefault === true) ?? null;
    const tierId = typeof tier?.id === 'string' ? tier.id : 'free-tier';
    if (tier?.userDefinedCloudaicompanionProject === true) {
      return { projectId: null, tier: tierId, problem: `the ${tierId} tier needs your own Google Cloud project: enter its id` };
    }
    for (const wait of [0, ...(o.pollDelaysMs ?? POLLS_MS)]) {
      if (wait) await sleep(wait);
      const op = await call(base, 'onboardUser', accessToken, { tierId, metadata: METADATA }, o);
      if (op.done === true) {
        const id = projectOf((op.response as Json | undefined)?.cloudaicompanionProject);
        return id
          ? { projectId: id, tier: tierId, problem: null }
          : { projectId: null, tier: tierId, problem: 'onboarding finished without a project: enter its id' };
      }
    }
    return { projectId: null, tier: tierId, problem: 'onboarding did not finish in time: try again, or enter the project id' };
  } catch (e) {
    return { projectId: null, tier: null, problem: (e as Error).message };
  }
}
