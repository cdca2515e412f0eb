// Which folder may import which: DESIGN.md's layers as one allow-map, checked by
// eslint-plugin-boundaries' `boundaries/dependencies` rule with `default: 'disallow'`. Like VS
// Code's layering rule, each folder is classified by where its code runs, and an import the map
// does not allow is an error. checks/layers.test.ts lints fixtures that break it.
//
// Contract files inside main/core are classified as files: the renderer may import only the API
// (`api`); the shell the API and core's boundary checks (`api-policy`), plus the types of the
// desktop-side `Core` and of the hosted server's config (`core-types`, `import type` only),
// never core's code.

/** Folders, most specific first (a file belongs to the first that matches). */
export const ELEMENTS = [
  // The pure wire contract: types, codes, limits, keys. Runs anywhere, imports nothing else.
  { type: 'protocol', pattern: 'server/protocol/common' },
  { type: 'server-testkit', pattern: 'server/testkit' },
  // The PostgreSQL store: the only server code that talks to PostgreSQL (`pg`).
  { type: 'store-postgres', pattern: 'server/store/postgres' },
  // The cluster bus between nodes: the only server code that talks to NATS (`@nats-io/*`).
  { type: 'server-cluster', pattern: 'server/cluster' },
  { type: 'server', pattern: 'server' },
  { type: 'core', pattern: 'main/core' },
  { type: 'shell', pattern: 'main/shell' },
  { type: 'electron', pattern: 'main/electron' },
  { type: 'web', pattern: 'main/web' },
  { type: 'launch', pattern: 'main/launch' },
  // main/preload.ts: the Electron preload, beside the shell it belongs to.
  { type: 'electron', pattern: 'main' },
  { type: 'renderer-e2e', pattern: 'renderer/e2e' },
  { type: 'renderer', pattern: 'renderer/src' },
  { type: 'bench', pattern: 'bench' },
  { type: 'tooling', pattern: ['bin', 'scripts', 'checks'] },
].map((e) => ({ ...e, partialMatch: false }));

/** File categories: tests, and the contract files other layers may import from main/core and main/web. */
export const FILES = [
  { category: 'test', pattern: ['**/*.test.ts', '**/e2e/**'] },
  // The API as the renderer knows it: types, channel names, the object built over a transport.
  { category: 'api', pattern: ['main/core/api.ts', 'main/core/apiResult.ts', 'main/core/messageFeatureApi.ts', 'main/core/apiChannels.ts', 'main/core/buildApi.ts'] },
  // Core's checks the shell applies at its boundary: argument schemas, which links may open.
  { category: 'api-policy', pattern: ['main/core/apiArgs.ts', 'main/core/webUrl.ts'] },
  { category: 'core-testing', pattern: ['main/core/testing.ts'] },
  // Core's desktop-side interface (`Core`: the API plus reconnectNow, resume...) and the hosted
  // server's config: the shell names them in types only.
  { category: 'core-types', pattern: ['main/core/core.ts', 'main/core/hostMessages.ts'] },
  { category: 'core-internal', pattern: 'main/core/!(api|apiResult|messageFeatureApi|apiChannels|buildApi).ts' },
  // The browser host's frame shapes, shared with the renderer's WebSocket client.
  { category: 'web-wire', pattern: ['main/web/wireMessages.ts'] },
];

const el = (...types) => ({ element: { type: types } });
const file = (element, ...categories) => ({ element: { type: element }, file: { categories } });
const test = { file: { categories: 'test' } };
const NODE_ONLY_PACKAGES = ['better-sqlite3', 'pino', 'ws', 'commander', 'tsx', 'esbuild', 'electron'];

/** from folder -> what it may import. */
export const ALLOW = {
  protocol: [el('protocol')],
  // The server picks its store (SQLite or PostgreSQL); the PostgreSQL store builds on the
  // store's shared shapes in server/store/ and the protocol.
  server: [el('server', 'store-postgres', 'server-cluster', 'protocol')],
  'store-postgres': [el('store-postgres', 'server', 'protocol')],
  // A node joins the chat layer's registry to the bus: it builds on the chat layer, never the reverse
  // (the chat layer knows only the ClusterLink and LoginCluster interfaces it declares).
  'server-cluster': [el('server-cluster', 'server', 'protocol')],
  'server-testkit': [el('server-testkit', 'server', 'store-postgres', 'server-cluster', 'protocol')],
  core: [el('core', 'server', 'protocol')],
  // The shell translates: the API's contract and core's boundary checks, never core's internals.
  shell: [el('shell', 'protocol'), file('core', 'api', 'api-policy')],
  electron: [el('electron', 'shell', 'core', 'protocol')],
  // The browser host is the other shell: it applies the same shell decisions (app:// files, the
  // call dispatcher, the CSP) around the same core.
  web: [el('web', 'shell', 'core', 'protocol')],
  launch: [el('launch', 'web', 'shell')],
  renderer: [el('renderer', 'protocol'), file('core', 'api'), file('web', 'web-wire')],
  'renderer-e2e': [el('renderer-e2e', 'server-testkit', 'protocol')],
  bench: [el('bench', 'server', 'store-postgres', 'server-cluster', 'server-testkit', 'web', 'protocol')],
  tooling: [el('tooling', 'server', 'store-postgres', 'server-cluster', 'protocol')],
};

/** What tests may import besides their folder's allowance: the real parts they run against. */
export const TEST_ALLOW = {
  server: [el('server-testkit')],
  'store-postgres': [el('server-testkit')],
  'server-cluster': [el('server-testkit')],
  core: [el('server-testkit')],
  shell: [el('core', 'server-testkit')],
  web: [el('server-testkit')],
  renderer: [el('core', 'server-testkit')],
  // The host bundle's test (hostBundle.test.ts) logs in to the server it runs.
  electron: [el('renderer-e2e', 'launch', 'web', 'server-testkit')],
};

export const layerPolicies = [
  // Packages and Node's modules are allowed, except where a policy below says otherwise.
  { allow: { to: { module: { origin: ['external', 'core'] } } } },
  ...Object.entries(ALLOW).map(([from, to]) => ({ from: el(from), allow: { to } })),
  ...Object.entries(TEST_ALLOW).map(([from, to]) => ({ from: { ...el(from), ...test }, allow: { to } })),
  { from: el('shell'), allow: { to: file('core', 'core-types'), dependency: { kind: 'type' } } },
  // Only the Electron shell (and the launcher that finds its binary) imports electron: core, the
  // shell's decisions and the rest run in plain Node.
  { from: el(...Object.keys(ALLOW).filter((t) => t !== 'electron' && t !== 'launch')), disallow: { to: { module: { source: 'electron' } } } },
  // SQL for PostgreSQL stays in its store (and the test cluster that creates databases for it).
  { from: el(...Object.keys(ALLOW).filter((t) => t !== 'store-postgres' && t !== 'server-testkit')), disallow: { to: { module: { source: 'pg' } } } },
  // NATS stays in the cluster bus (and the test kit that starts a nats-server and talks to it).
  {
    from: el(...Object.keys(ALLOW).filter((t) => t !== 'server-cluster' && t !== 'server-testkit')),
    disallow: { to: ['@nats-io/transport-node', '@nats-io/kv'].map((source) => ({ module: { source } })) },
  },
  // What runs in the browser uses no Node module (the renderer's unit tests run in Node: allowed again).
  { from: el('renderer', 'protocol'), disallow: { to: [{ module: { origin: 'core' } }, ...NODE_ONLY_PACKAGES.map((source) => ({ module: { source } }))] } },
  { from: { ...el('renderer'), ...test }, allow: { to: { module: { origin: ['external', 'core'] } } } },
  // The API files stay as pure as the renderer that imports them: only the protocol and each other.
  { from: file('core', 'api'), disallow: { to: [el('server', 'server-testkit', 'shell', 'electron', 'web'), file('core', 'core-internal')] } },
  { from: file('core', 'api'), disallow: { to: [{ module: { origin: 'core' } }, ...NODE_ONLY_PACKAGES.map((source) => ({ module: { source } }))] } },
];

/** Settings for the plugin. */
export const layerSettings = { 'boundaries/elements': ELEMENTS, 'boundaries/files': FILES };
