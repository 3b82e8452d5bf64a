// The parts of undici the relay runs on, loaded from their own files rather than from undici's index. The index loads
// all of undici (fetch, WebSocket, EventSource, the cache and mock layers): ~4.7 MB of JavaScript heap against ~1.7 MB
// for these, held for the life of the process (with 1000 open streams the relay's RSS went from 139–151 to 136–142 MB
// in a probe; docs/performance.md). `fetch`, used only for OAuth exchanges and token refreshes, is loaded on its first
// call. The same files back the index, so these are undici's own classes (undici-parts.test.ts checks it).
import type * as U from 'undici';
import api from 'undici/lib/api/index.js';
import AgentImpl from 'undici/lib/dispatcher/agent.js';
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js';
import buildConnectorImpl from 'undici/lib/core/connect.js';
import PoolImpl from 'undici/lib/dispatcher/pool.js';
import ProxyAgentImpl from 'undici/lib/dispatcher/proxy-agent.js';

// What the index does besides exporting: every dispatcher gets request(), stream(), pipeline(), connect(), upgrade().
Object.assign(Dispatcher.prototype, api);

export const Agent: typeof U.Agent = AgentImpl;
export type Agent = U.Agent;
export const Pool: typeof U.Pool = PoolImpl;
export type Pool = U.Pool;
export const ProxyAgent: typeof U.ProxyAgent = ProxyAgentImpl;
export type ProxyAgent = U.ProxyAgent;
export const buildConnector: typeof U.buildConnector = buildConnectorImpl;

let loading: Promise<typeof U.fetch> | undefined;

/** undici's `fetch`, loaded (with the rest of undici) on the first call. */
export const fetch: typeof U.fetch = async (input, init) => {
  loading ??= import('undici').then((m) => m.fetch);
  return (await loading)(input, init);
};
