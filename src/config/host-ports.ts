// `host:port,host:port` lists (Redis Sentinel and Cluster seed nodes).

export interface HostPort {
  host: string;
  port: number;
}

/** `host:port,host:port` → HostPort[] (IPv6 as `[addr]:port`); null when a part is malformed or the list empty. */
export function parseHostPorts(list: string): HostPort[] | null {
  const out: HostPort[] = [];
  for (const part of list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(part);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) return null;
    out.push({ host: m[1].replace(/^\[(.*)\]$/, '$1'), port: Number(m[2]) });
  }
  return out.length ? out : null;
}
