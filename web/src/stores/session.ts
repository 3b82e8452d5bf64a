// The admin session (cookie-based) and the relay's reporting time zone, loaded once after login.
import { reactive } from 'vue';
import { api, request, setCsrfToken } from '../api/client';
import type { Session, SystemInfo } from '../api/types';

export const session = reactive({
  user: null as Session | null,
  system: null as SystemInfo | null,
  /** Reporting time zone offset (hours) of the relay: every time on screen is shown in it. */
  tzOffset: 8,
  tzLabel: 'UTC+08:00',
  checked: false,
});

function applySystem(s: SystemInfo): void {
  session.system = s;
  session.tzOffset = s.timezoneOffsetHours;
  session.tzLabel = s.tz;
}

/** Asks the relay whether the browser still has a session; never redirects by itself. */
export async function probeSession(): Promise<boolean> {
  try {
    const s = await request<Session>('GET', '/admin/session', { quiet401: true });
    session.user = s;
    setCsrfToken(s.csrfToken);
    applySystem(await api.get<SystemInfo>('/admin/system'));
    return true;
  } catch {
    session.user = null;
    return false;
  } finally {
    session.checked = true;
  }
}

export async function login(username: string, password: string): Promise<void> {
  const s = await request<Session>('POST', '/admin/session', { body: { username, password }, quiet401: true });
  session.user = s;
  setCsrfToken(s.csrfToken);
  applySystem(await api.get<SystemInfo>('/admin/system'));
}

export async function logout(): Promise<void> {
  try {
    await api.del('/admin/session');
  } finally {
    session.user = null;
    setCsrfToken(null);
  }
}

export async function refreshSystem(): Promise<void> {
  applySystem(await api.get<SystemInfo>('/admin/system'));
}
