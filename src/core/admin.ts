// Admin users of the web UI and admin API.

export interface AdminUser {
  username: string;
  /** scrypt hash in the self-describing format of platform/passwords. */
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
}
