/**
 * A parent for the hosted server in tests: hosts on loopback, prints the server's pid and port
 * as one JSON line, and stays until killed (hostLifetime.test.ts kills it with SIGKILL).
 */
import { createCore } from './core.ts';
import { forkLauncher } from './hosting.ts';

let pid: number | undefined;
const core = createCore({
  dataDir: process.argv[2]!,
  launchHost: () => {
    const child = forkLauncher();
    pid = child.pid;
    return child;
  },
  hostDefaults: { scrypt: { N: 1024, r: 8, p: 1 }, logLevel: 'silent' },
});
const hosted = await core.host({ port: 0, scope: 'loopback' });
console.log(JSON.stringify({ pid, port: hosted.ok ? hosted.value.port : 0 }));
setInterval(() => undefined, 60_000);
