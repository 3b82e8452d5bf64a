// Alert channels: kept in the store as one document (kv `alertcfg:channels`), secret fields (webhook URLs, signing
// secrets, bot tokens, device keys, mail passwords) sealed with the relay's secrets module. The admin API sees a
// hint of a URL and which secrets are set, never their values. The last good list stays in memory, so an alert
// about the store itself still finds its channels while the store is down.
import type { Clock } from '../../core/clock.js';
import { RelayError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import type { Secrets } from '../../platform/secrets.js';
import type { KvRepo } from '../../store/types.js';
import { checkHostName, checkWebhookUrl } from '../../accounts/url-policy.js';
import {
  SECRET_FIELDS,
  TYPE_FIELDS,
  type ChannelInput,
  type ChannelPatch,
  type ChannelPublic,
  type ChannelSecrets,
  type ResolvedChannel,
  type StoredChannel,
} from './types.js';

const KEY = 'alertcfg:channels';
const PUBLIC_FIELDS = ['chatId', 'server', 'group', 'host', 'port', 'secure', 'username', 'from', 'to'] as const;
/** At most this many channels. */
export const MAX_CHANNELS = 50;

const invalid = (path: string, message: string) => new RelayError('VALIDATION_FAILED', `${path}: ${message}`, { details: [{ path, message }] });

/** A URL as the admin API may show it: the origin and the first path segment (tokens live further on). */
export function urlHint(url: string | undefined): string | null {
  if (!url) return null;
  try {
    const u = new URL(url);
    const first = u.pathname.split('/').filter(Boolean)[0];
    return `${u.origin}/${first ? `${first}/` : ''}…`;
  } catch {
    return '…';
  }
}

export class AlertChannels {
  private last: StoredChannel[] = [];

  constructor(
    private readonly kv: KvRepo,
    private readonly secrets: Secrets,
    private readonly clock: Clock,
  ) {}

  /** Every channel (the last good list when the store does not answer). */
  async list(): Promise<StoredChannel[]> {
    try {
      const raw = await this.kv.get(KEY);
      this.last = raw ? (JSON.parse(raw) as StoredChannel[]) : [];
    } catch (e) {
      if (this.last.length === 0) throw e;
    }
    return this.last;
  }

  async get(id: string): Promise<StoredChannel> {
    const ch = (await this.list()).find((c) => c.id === id);
    if (!ch) throw new RelayError('NOT_FOUND', 'Notification channel not found');
    return ch;
  }

  /** The channel with its secrets opened, ready to send. */
  resolve(ch: StoredChannel): ResolvedChannel {
    const { sealed, ...rest } = ch;
    return { ...rest, secrets: JSON.parse(this.secrets.open(sealed)) as ChannelSecrets };
  }

  /** The admin view: no secret values, a hint of the URL, the names of the secrets that are set. */
  view(ch: StoredChannel) {
    const s = this.resolve(ch).secrets;
    return {
      id: ch.id,
      name: ch.name,
      type: ch.type,
      enabled: ch.enabled,
      events: ch.events,
      ...ch.config,
      urlHint: urlHint(s.url),
      secretsSet: SECRET_FIELDS.filter((f) => typeof s[f] === 'string' && s[f] !== ''),
      createdAt: new Date(ch.createdAt).toISOString(),
      updatedAt: new Date(ch.updatedAt).toISOString(),
    };
  }

  async create(input: ChannelInput): Promise<StoredChannel> {
    const all = await this.list();
    if (all.length >= MAX_CHANNELS) throw invalid('body', `at most ${MAX_CHANNELS} channels`);
    const now = this.clock.now();
    const { config, secrets } = split(input, {}, {});
    check(input.type, config, secrets);
    const ch: StoredChannel = {
      id: newId(),
      name: input.name,
      type: input.type,
      enabled: input.enabled ?? true,
      events: input.events ?? [],
      config,
      sealed: this.secrets.seal(JSON.stringify(secrets)),
      createdAt: now,
      updatedAt: now,
    };
    await this.save([...all, ch]);
    return ch;
  }

  /** Changes a channel; secret fields left out keep their values, an empty string removes an optional one. */
  async update(id: string, patch: ChannelPatch): Promise<StoredChannel> {
    const all = await this.list();
    const cur = all.find((c) => c.id === id);
    if (!cur) throw new RelayError('NOT_FOUND', 'Notification channel not found');
    const { config, secrets } = split(patch, cur.config, this.resolve(cur).secrets);
    check(cur.type, config, secrets);
    const next: StoredChannel = {
      ...cur,
      name: patch.name ?? cur.name,
      enabled: patch.enabled ?? cur.enabled,
      events: patch.events ?? cur.events,
      config,
      sealed: this.secrets.seal(JSON.stringify(secrets)),
      updatedAt: this.clock.now(),
    };
    await this.save(all.map((c) => (c.id === id ? next : c)));
    return next;
  }

  async remove(id: string): Promise<void> {
    const all = await this.list();
    if (!all.some((c) => c.id === id)) throw new RelayError('NOT_FOUND', 'Notification channel not found');
    await this.save(all.filter((c) => c.id !== id));
  }

  private async save(all: StoredChannel[]): Promise<void> {
    await this.kv.set(KEY, JSON.stringify(all));
    this.last = all;
  }
}

/** Merges input fields over the current public settings and secrets. */
function split(input: ChannelInput | ChannelPatch, config: ChannelPublic, secrets: ChannelSecrets): { config: ChannelPublic; secrets: ChannelSecrets } {
  const c: Record<string, unknown> = { ...config };
  const s: Record<string, unknown> = { ...secrets };
  const src = input as Record<string, unknown>;
  for (const f of PUBLIC_FIELDS) if (src[f] !== undefined) c[f] = src[f] === '' ? undefined : src[f];
  for (const f of SECRET_FIELDS) if (src[f] !== undefined) s[f] = src[f] === '' ? undefined : src[f];
  for (const o of [c, s]) for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return { config: c, secrets: s };
}

/** The type's required fields are there, and every URL and host passes the URL policy. */
function check(type: keyof typeof TYPE_FIELDS, config: ChannelPublic, secrets: ChannelSecrets): void {
  const have = { ...config, ...secrets } as Record<string, unknown>;
  for (const f of TYPE_FIELDS[type].required) if (have[f] === undefined || have[f] === '') throw invalid(f, `is required for ${type} channels`);
  if (secrets.url) checkWebhookUrl(secrets.url, 'url');
  if (config.server) checkWebhookUrl(config.server, 'server');
  if (config.host) checkHostName(config.host, 'host');
}
