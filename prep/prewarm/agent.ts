// undici's Agent on its own. `import { Agent } from 'undici'` loads the whole package
// (fetch, WebSocket, EventSource, cache, mocks) for one class: ~8 MB more resident in
// a pre-warming run (bench/prewarm.mjs). The file is undici's own export of the class;
// test/prewarm-agent.test.ts checks it is the same class, so an upgrade that moves it fails there.
import { createRequire } from 'node:module';
import type { Agent as UndiciAgent } from 'undici';

const load = createRequire(import.meta.url);

export const Agent: typeof UndiciAgent = load('undici/lib/dispatcher/agent.js');
