// Admin users of the web UI and admin API.

export interface AdminUser {
  username: string;
  /** scrypt hash in the self-describing format of platform/passwords. */
  passwordHash: string;
  createdAt: number;
  updatedAt: number;
}

/** A server-side admin session: the session token names it, and revoking it ends the token on every instance. */
export interface AdminSessionRecord {
  sid: string;
  username: string;
  /** When the session was opened (epoch ms). */
  createdAt: number;
  /** The address the login came from. */
  ip: string;
}
