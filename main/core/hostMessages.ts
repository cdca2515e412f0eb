/**
 * Messages between core and the hosted server's process. The hosted server runs apart from the
 * app (a Node child process, or an Electron utilityProcess) so a fault in it cannot take the
 * window down; these shapes are all the two sides share.
 */
import type { ScryptParams } from '../../server/auth/passwords.ts';

export interface HostConfig {
  dataDir: string;
  port: number;
  /** Address to listen on; absent: every interface, so people on the LAN can connect. */
  listenHost?: string;
  scrypt?: ScryptParams;
  timeOutSec?: number;
  blockTimeSec?: number;
  logLevel?: 'info' | 'warn' | 'error' | 'silent';
  /** better-sqlite3 binding built for the process that runs the server (Electron's ABI). */
  nativeBinding?: string;
  /** The name to announce on the LAN (mDNS/DNS-SD); absent: not announced ("only this computer"). */
  announceName?: string;
}

export type HostAdminCall =
  | { call: 'list' }
  | { call: 'add'; user: string; password: string }
  | { call: 'remove'; user: string }
  | { call: 'passwd'; user: string; password: string };

export type HostRequest = { type: 'start'; config: HostConfig } | { type: 'stop' } | ({ type: 'admin'; re: number } & HostAdminCall);

export type HostReply =
  | { type: 'listening'; port: number; userCount: number; fingerprint: string | null }
  | { type: 'failed'; message: string }
  | { type: 'admin'; re: number; ok: true; users?: string[] }
  | { type: 'admin'; re: number; ok: false; message: string }
  | { type: 'stopped' };

/** The hosted server's process as core sees it, whatever started it. */
export interface HostChild {
  readonly pid?: number | undefined;
  send(message: HostRequest): void;
  onMessage(listener: (message: HostReply) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

/** Starts the process that will run the hosted server (it waits for a `start` message). */
export type HostLauncher = () => HostChild;
