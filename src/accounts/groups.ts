// Account groups: named sets of accounts a key can be bound to. Kept in the store's groups repository; membership
// lives on the accounts (`groupIds`), so the scheduler needs nothing else.
import type { AccountGroup } from '../core/account-group.js';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Store } from '../store/types.js';
import type { AccountService } from './accounts.js';

export type { AccountGroup };

export class GroupService {
  constructor(
    private readonly store: Store,
    private readonly accounts: AccountService,
    private readonly clock: Clock,
  ) {}

  async list(): Promise<AccountGroup[]> {
    return (await this.store.groups.list()).sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(id: string): Promise<AccountGroup> {
    const g = await this.store.groups.get(id);
    if (!g) throw new RelayError('NOT_FOUND', 'Group not found');
    return g;
  }

  async create(input: { name: string; description?: string }): Promise<AccountGroup> {
    if ((await this.list()).some((g) => g.name.toLowerCase() === input.name.toLowerCase())) {
      throw new RelayError('CONFLICT', `A group named "${input.name}" already exists`);
    }
    const now = this.clock.now();
    const g: AccountGroup = { id: newId(), name: input.name, description: input.description ?? '', createdAt: now, updatedAt: now };
    // The repository announces the change (entity 'group') to every instance.
    await this.store.groups.put(g);
    return g;
  }

  async update(id: string, patch: { name?: string; description?: string }): Promise<AccountGroup> {
    const g = { ...(await this.get(id)), ...patch, updatedAt: this.clock.now() };
    await this.store.groups.put(g);
    return g;
  }

  /** Accounts in the group. */
  async members(id: string): Promise<string[]> {
    return (await this.accounts.list()).filter((a) => a.groupIds.includes(id)).map((a) => a.id);
  }

  async setMembers(id: string, change: { add?: string[]; remove?: string[] }): Promise<string[]> {
    await this.get(id);
    for (const accountId of change.add ?? []) {
      const a = await this.accounts.get(accountId);
      if (!a.groupIds.includes(id)) await this.accounts.update(accountId, { groupIds: [...a.groupIds, id] });
    }
    for (const accountId of change.remove ?? []) {
      const a = await this.accounts.get(accountId);
      if (a.groupIds.includes(id)) await this.accounts.update(accountId, { groupIds: a.groupIds.filter((g) => g !== id) });
    }
    return this.members(id);
  }

  /** Deletes a group; refuses (409, listing them) while accounts are members, unless `force` empties it first. */
  async remove(id: string, force: boolean): Promise<void> {
    await this.get(id);
    const members = await this.members(id);
    if (members.length && !force) {
      throw new RelayError('CONFLICT', `The group still has ${members.length} account(s); remove them or use ?force=true`, { details: { accounts: members } });
    }
    if (members.length) await this.setMembers(id, { remove: members });
    await this.store.groups.remove(id);
  }
}
