/**
 * Host server: runs the server library in a separate process and reports its state. A crash
 * of that process is reported (state `failed`) and hosting can simply be started again.
 */
import { fork } from 'node:child_process';
import { networkInterfaces } from 'node:os';
import { fileURLToPath } from 'node:url';
import { inviteLinkFor } from './inviteLink.ts';
import type { HostingState, HostScope } from './api.ts';
import type { HostAdminCall, HostChild, HostConfig, HostLauncher, HostReply } from './hostMessages.ts';

const STOP_GRACE_MS = 5_000;

/** Node's own launcher: the entry file in a child process, TypeScript loaded through tsx. */
export const forkLauncher: HostLauncher = () => {
  const entry = fileURLToPath(new URL('./hostProcess.ts', import.meta.url));
  const child = fork(entry, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
  return {
    pid: child.pid,
    send: (message) => {
      if (child.connected) child.send(message);
    },
    onMessage: (listener) => child.on('message', (m) => listener(m as HostReply)),
    onExit: (listener) => child.on('exit', (code) => listener(code)),
    kill: () => child.kill('SIGKILL'),
  };
};

/**
 * The hosted server's config for a scope: `loopback` binds 127.0.0.1 only, so nothing off this
 * computer can connect; `network` (or none) keeps the configured address, by default every
 * interface, where the server speaks clear text to the LAN.
 */
export function withScope(config: HostConfig, scope: HostScope | undefined): HostConfig {
  if (scope !== 'loopback') return config;
  // Only this computer: nothing to tell the network about either.
  const { announceName: _quiet, ...rest } = config;
  return { ...rest, listenHost: '127.0.0.1' };
}

/** host:port strings others can use: this computer's LAN addresses, then loopback. */
export function reachableAddresses(port: number, listenHost?: string): string[] {
  if (listenHost && listenHost !== '0.0.0.0' && listenHost !== '::') return [`${listenHost.includes(':') ? `[${listenHost}]` : listenHost}:${port}`];
  const lan: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) if (!a.internal && a.family === 'IPv4') lan.push(`${a.address}:${port}`);
  }
  return [...lan, `127.0.0.1:${port}`];
}

export class Hosting {
  private child: HostChild | null = null;
  private stateValue: HostingState = { status: 'stopped' };
  private nextRe = 1;
  private readonly calls = new Map<number, (reply: Extract<HostReply, { type: 'admin' }>) => void>();
  private stopping = false;

  constructor(
    private readonly launch: HostLauncher,
    private readonly onState: (state: HostingState) => void,
  ) {}

  get state(): HostingState {
    return { ...this.stateValue };
  }

  /** Starts the server; resolves with `running` or `failed` (with the reason in words). */
  start(config: HostConfig): Promise<HostingState> {
    if (this.child) return Promise.resolve(this.state);
    this.set({ status: 'starting', port: config.port });
    const child = this.launch();
    this.child = child;
    this.stopping = false;
    return new Promise((resolve) => {
      let settled = false;
      const settle = () => {
        if (!settled) resolve(this.state);
        settled = true;
      };
      child.onMessage((reply) => {
        if (reply.type === 'listening') {
          const addresses = reachableAddresses(reply.port, config.listenHost);
          const [first] = addresses;
          const invite = reply.fingerprint && first ? { fingerprint: reply.fingerprint, inviteLink: inviteLinkFor(first.slice(0, first.lastIndexOf(':')).replace(/^\[(.*)\]$/, '$1'), reply.port, reply.fingerprint) } : {};
          this.set({ status: 'running', port: reply.port, addresses, needsAccount: reply.userCount === 0, ...invite });
          settle();
        } else if (reply.type === 'failed') {
          this.set({ status: 'failed', port: config.port, error: reply.message });
          settle();
        } else if (reply.type === 'admin') {
          this.calls.get(reply.re)?.(reply);
          this.calls.delete(reply.re);
        }
      });
      child.onExit((code) => {
        if (this.child !== child) return;
        this.child = null;
        for (const done of this.calls.values()) done({ type: 'admin', re: 0, ok: false, message: 'The hosted server stopped.' });
        this.calls.clear();
        if (this.stopping) this.set({ status: 'stopped' });
        else if (this.stateValue.status !== 'failed') {
          this.set({ status: 'failed', ...(this.stateValue.port !== undefined ? { port: this.stateValue.port } : {}), error: `The hosted server stopped unexpectedly (exit code ${code ?? 'signal'}).` });
        }
        settle();
      });
      child.send({ type: 'start', config });
    });
  }

  /** Tells connected users, closes the database and ends the process. */
  stop(): Promise<HostingState> {
    const child = this.child;
    if (!child) {
      if (this.stateValue.status === 'failed') this.set({ status: 'stopped' });
      return Promise.resolve(this.state);
    }
    this.stopping = true;
    return new Promise((resolve) => {
      const timer = setTimeout(() => child.kill(), STOP_GRACE_MS);
      child.onExit(() => {
        clearTimeout(timer);
        resolve(this.state);
      });
      child.send({ type: 'stop' });
    });
  }

  /** Account management on the hosted server. */
  admin(call: HostAdminCall): Promise<{ ok: true; users?: string[] } | { ok: false; message: string }> {
    const child = this.child;
    if (!child || this.stateValue.status !== 'running') return Promise.resolve({ ok: false, message: 'Not hosting a server.' });
    const re = this.nextRe++;
    return new Promise((resolve) => {
      this.calls.set(re, (reply) => resolve(reply.ok ? { ok: true, ...(reply.users ? { users: reply.users } : {}) } : { ok: false, message: reply.message }));
      child.send({ type: 'admin', re, ...call });
    });
  }

  /** Marks that the host now has an account (after the first one is created). */
  accountCreated(): void {
    if (this.stateValue.needsAccount) this.set({ ...this.stateValue, needsAccount: false });
  }

  private set(state: HostingState): void {
    this.stateValue = state;
    this.onState(this.state);
  }
}
