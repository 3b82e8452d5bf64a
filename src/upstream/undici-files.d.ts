// Types for the undici files undici-parts.ts loads directly (undici declares only its index).
declare module 'undici/lib/dispatcher/agent.js' {
  import type { Agent } from 'undici';
  const value: typeof Agent;
  export default value;
}
declare module 'undici/lib/dispatcher/pool.js' {
  import type { Pool } from 'undici';
  const value: typeof Pool;
  export default value;
}
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  import type { ProxyAgent } from 'undici';
  const value: typeof ProxyAgent;
  export default value;
}
declare module 'undici/lib/core/connect.js' {
  import type { buildConnector } from 'undici';
  const value: typeof buildConnector;
  export default value;
}
declare module 'undici/lib/dispatcher/dispatcher.js' {
  import type { Dispatcher } from 'undici';
  const value: typeof Dispatcher;
  export default value;
}
declare module 'undici/lib/api/index.js' {
  import type { Dispatcher } from 'undici';
  const value: Pick<Dispatcher, 'request' | 'stream' | 'pipeline' | 'connect' | 'upgrade'>;
  export default value;
}
