// Account groups: named sets of accounts a key can be bound to (`group:<id>`). Membership lives on the accounts
// (`groupIds`), so the scheduler needs nothing else.

export interface AccountGroup {
  id: string;
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
}

/** The group with exactly its own fields, in a fixed order (what the stores keep and exports carry). */
export function groupRecord(g: AccountGroup): AccountGroup {
  return { id: g.id, name: g.name, description: g.description, createdAt: g.createdAt, updatedAt: g.updatedAt };
}
