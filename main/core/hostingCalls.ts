/** The API's Host server calls: start and stop the hosted server, and manage its accounts. */
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { ParleyApi, Result, ServerAddress } from './api.ts';
import { ensurePrivateDir } from './dataFiles.ts';
import type { HostConfig } from './hostMessages.ts';
import { withScope, type Hosting } from './hosting.ts';
import type { SettingsStore } from './settings.ts';
import { fail } from './results.ts';

export type HostingCalls = Pick<ParleyApi, 'host' | 'createHostAccount' | 'stopHosting' | 'hostedUsers' | 'addHostedUser' | 'removeHostedUser' | 'resetHostedPassword'>;

export interface HostingCallsDeps {
  hosting: Hosting;
  settings: SettingsStore;
  /** Core's data folder; the hosted server's database goes in its `server` folder. */
  dataDir: string;
  hostDefaults?: Omit<HostConfig, 'dataDir' | 'port'> | undefined;
  /** Pins the hosted server's certificate: the app made it, so the host is never asked. */
  pin(server: ServerAddress, fingerprint: string): void;
  /** Logs the host in to their new server. */
  login(server: ServerAddress, user: string, password: string): Promise<Result<{ user: string }>>;
}

export function hostingCalls({ hosting, settings, dataDir, hostDefaults, pin, login }: HostingCallsDeps): HostingCalls {
  return {
    host: async ({ port, scope }) => {
      const serverDir = join(dataDir, 'server');
      // The hosted database holds every account's password hash and all history: owner only.
      ensurePrivateDir(serverDir);
      // A server only this computer can reach has nobody on the LAN to tell.
      const loopbackOnly = hostDefaults?.listenHost === '127.0.0.1' || hostDefaults?.listenHost === '::1';
      const announce = loopbackOnly ? {} : { announceName: hostname() || 'Parley' };
      const hosted = await hosting.start(withScope({ ...announce, ...hostDefaults, dataDir: serverDir, port }, scope));
      if (hosted.status !== 'running') return fail('hosting_failed', hosted.error ?? 'The server did not start.');
      settings.update({ hostPort: port });
      if (hosted.fingerprint && hosted.port !== undefined) for (const host of ['127.0.0.1', 'localhost']) pin({ host, port: hosted.port }, hosted.fingerprint);
      return { ok: true, value: hosted };
    },
    createHostAccount: async ({ user, password }) => {
      const port = hosting.state.port;
      if (hosting.state.status !== 'running' || port === undefined) return fail('hosting_failed', 'Start hosting first.');
      const added = await hosting.admin({ call: 'add', user, password });
      if (!added.ok) return fail('hosting_failed', added.message);
      hosting.accountCreated();
      return login({ host: '127.0.0.1', port }, user, password);
    },
    stopHosting: async () => ({ ok: true, value: await hosting.stop() }),
    hostedUsers: async () => {
      const r = await hosting.admin({ call: 'list' });
      return r.ok ? { ok: true, value: r.users ?? [] } : fail('hosting_failed', r.message);
    },
    addHostedUser: async ({ user, password }) => adminResult(await hosting.admin({ call: 'add', user, password })),
    removeHostedUser: async ({ user }) => adminResult(await hosting.admin({ call: 'remove', user })),
    resetHostedPassword: async ({ user, password }) => adminResult(await hosting.admin({ call: 'passwd', user, password })),
  };
}

function adminResult(r: { ok: true } | { ok: false; message: string }): Result<null> {
  return r.ok ? { ok: true, value: null } : fail('hosting_failed', r.message);
}
