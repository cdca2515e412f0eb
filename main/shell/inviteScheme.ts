/**
 * The `parley:` scheme: invite links open in the running app. Electron hands a link over in three
 * ways (the first instance's argv, a second instance's argv under the single-instance lock,
 * macOS's open-url); they all go through one forwarder, which holds links until the window can
 * show them (the login window fills from the `invite` UI command).
 */
import type { InviteTarget, ParleyApi, Result, UiCommand } from '../core/api.ts';

export const INVITE_PROTOCOL = 'parley';

/**
 * Arguments for `app.setAsDefaultProtocolClient`: a packaged app registers itself; in development
 * Electron runs the app's script, which must be passed along or the OS would open bare Electron.
 */
export function protocolClientArgs(defaultApp: boolean, execPath: string, argv: readonly string[]): [string] | [string, string, string[]] {
  const script = argv[1];
  return defaultApp && script ? [INVITE_PROTOCOL, execPath, [script]] : [INVITE_PROTOCOL];
}

/** The invite link among command-line arguments, if any (the OS passes it as one argument). */
export function inviteLinkFromArgv(argv: readonly string[]): string | null {
  return argv.find((a) => a.toLowerCase().startsWith(`${INVITE_PROTOCOL}://`)) ?? null;
}

export interface InviteCore {
  openInvite: ParleyApi['openInvite'];
  emitUiCommand(command: UiCommand): void;
}

export interface InviteForwarder {
  fromArgv(argv: readonly string[]): void;
  fromUrl(url: string): void;
  /** The window's page is up and listening for UI commands. */
  ready(): void;
  /** The window is gone; links wait for the next one. */
  notReady(): void;
  /** Settles when the links handed over so far have been read (tests). */
  idle(): Promise<Result<InviteTarget>[]>;
}

/** Pins each link's fingerprint through core at once, and fills the login window when it is up. */
export function inviteForwarder(core: InviteCore, show: () => void): InviteForwarder {
  let isReady = false;
  let waiting: InviteTarget[] = [];
  let reads: Promise<Result<InviteTarget>>[] = [];
  const flush = (): void => {
    if (!isReady) return;
    for (const target of waiting) core.emitUiCommand({ type: 'invite', target });
    waiting = [];
  };
  const take = (link: string): void => {
    show();
    const read = core.openInvite({ link }).then((r) => {
      if (r.ok) {
        waiting.push(r.value);
        flush();
      }
      return r;
    });
    reads.push(read);
  };
  return {
    fromArgv: (argv) => {
      const link = inviteLinkFromArgv(argv);
      if (link) take(link);
    },
    fromUrl: (url) => {
      if (url.toLowerCase().startsWith(`${INVITE_PROTOCOL}://`)) take(url);
    },
    ready: () => {
      isReady = true;
      flush();
    },
    notReady: () => {
      isReady = false;
    },
    idle: () => {
      const all = Promise.all(reads);
      reads = [];
      return all;
    },
  };

}
