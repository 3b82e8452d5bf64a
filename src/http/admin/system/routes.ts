// GET /admin/system (version, uptime, store health, reporting time zone) and GET /admin/meta (the enums the
// forms need: account kinds with their credential fields and terms, known models, client ids, error codes).
import { z } from 'zod';
import type { PricingTable } from '../../../accounting/pricing.js';
import { CLIENT_IDS, SERVICES, WEEKLY_COST_FAMILIES } from '../../../core/api-key.js';
import type { Clock } from '../../../core/clock.js';
import { ERROR_CATALOGUE } from '../../../core/errors.js';
import { ACCOUNT_KINDS, adapterFor } from '../../../providers/registry.js';
import type { StoreHealth } from '../../../ops/store-health.js';
import { routeBuilder } from '../route.js';
import { tzLabel } from '../usage/support.js';
import { metaView, systemView } from './answers.js';

interface Deps {
  storeHealth: StoreHealth;
  clock: Clock;
  /** The price table in effect (bundled + PRICING_FILE), whose model names the forms suggest. */
  pricing: PricingTable;
  timezoneOffsetHours: number;
  version: string;
  startedAt: number;
}

/** Clients a key can be restricted to, with how the relay recognises each (shown in the key form). */
const CLIENT_NOTES: Record<string, { label: string; note: string }> = {
  claude_code: { label: 'Claude Code', note: 'user-agent claude-cli/… and x-app: cli' },
  codex_cli: { label: 'Codex CLI', note: 'user-agent codex_exec/… or codex_cli_rs/…, originator header' },
  gemini_cli: { label: 'Gemini CLI', note: 'user-agent GeminiCLI/…' },
};
export const KNOWN_CLIENTS = CLIENT_IDS.map((id) => ({ id, label: CLIENT_NOTES[id]?.label ?? id, note: CLIENT_NOTES[id]?.note ?? '' }));

/** Model names of the price table, per API family (the forms' suggestions; any other name still works). */
const FAMILY_PATTERNS: Record<string, RegExp> = { anthropic: /^claude-/, openai: /^(gpt-|o\d|codex-)/, gemini: /^gemini-/ };
function knownModels(pricing: PricingTable): Record<string, string[]> {
  const names = pricing.models().filter((m) => !m.includes('/') && !m.includes('@'));
  return Object.fromEntries(Object.entries(FAMILY_PATTERNS).map(([family, re]) => [family, names.filter((m) => re.test(m)).sort()]));
}

function credentialFields(kind: string): { name: string; required: boolean }[] {
  try {
    const js = z.toJSONSchema(adapterFor(kind).secretsSchema, { io: 'input', unrepresentable: 'any' }) as {
      properties?: Record<string, unknown>;
      required?: string[];
    };
    return Object.keys(js.properties ?? {}).map((name) => ({ name, required: (js.required ?? []).includes(name) }));
  } catch {
    return [];
  }
}

/** The table is fixed for the process's life: its names are grouped once per table, on first use. */
const modelsCache = new WeakMap<PricingTable, Record<string, string[]>>();
function modelsByFamily(pricing: PricingTable): Record<string, string[]> {
  let models = modelsCache.get(pricing);
  if (!models) modelsCache.set(pricing, (models = knownModels(pricing)));
  return models;
}

const route = routeBuilder<Deps>();

export const systemRoutes = [
  route(
    { method: 'GET', path: '/system', tag: 'system', summary: 'Version, uptime, store kind and health, reporting time zone', response: systemView },
    async (_ctx, deps) => {
      const store = await deps.storeHealth.check();
      const now = deps.clock.now();
      return {
        version: deps.version,
        now: new Date(now).toISOString(),
        startedAt: new Date(deps.startedAt).toISOString(),
        uptimeSec: Math.round((now - deps.startedAt) / 1000),
        node: process.version,
        store,
        timezoneOffsetHours: deps.timezoneOffsetHours,
        tz: tzLabel(deps.timezoneOffsetHours),
      };
    },
  ),
  route(
    {
      method: 'GET',
      path: '/meta',
      tag: 'system',
      summary: 'Enums the forms need: account kinds (credential fields, OAuth or not, provider terms), known models, client ids, error codes',
      response: metaView,
    },
    async (_ctx, deps) => ({
      accountKinds: ACCOUNT_KINDS.map((kind) => {
        const a = adapterFor(kind);
        return { kind, protocol: a.protocol, oauth: a.refresh !== undefined, credentialFields: credentialFields(kind), terms: a.terms ?? null };
      }),
      models: Object.values(modelsByFamily(deps.pricing)).flat(),
      modelsByProtocol: modelsByFamily(deps.pricing),
      clients: KNOWN_CLIENTS,
      services: SERVICES,
      weeklyCostFamilies: WEEKLY_COST_FAMILIES,
      errorCodes: Object.keys(ERROR_CATALOGUE),
      timezoneOffsetHours: deps.timezoneOffsetHours,
      tz: tzLabel(deps.timezoneOffsetHours),
    }),
  ),
];
