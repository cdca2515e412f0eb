/**
 * When "Remember me" saves, forgets and uses the resume token: saved once a login is online and
 * the setting is on, forgotten at any logout (the server revokes the token then), when the
 * setting is off, or when the server refuses it at start; used once, at start.
 */
import type { Result } from '../core/api.ts';
import type { Core } from '../core/core.ts';
import type { RememberMe } from './rememberMe.ts';

export interface RememberLifecycle {
  /** Logs in with the remembered token if there is one and the setting is on. */
  resumeAtStart(): Promise<Result<{ user: string }> | null>;
  /** Resolves when the saves and forgets started so far are done (tests, quitting). */
  settled(): Promise<void>;
  stop(): void;
}

export function keepRemembered(core: Core, vault: RememberMe): RememberLifecycle {
  let savedToken: string | null = null;
  let work: Promise<unknown> = Promise.resolve();
  // One file, one writer: saves and forgets run in order.
  const then = (step: () => Promise<unknown>): void => {
    work = work.then(step).catch((err: unknown) => console.error('parley: remember me:', err));
  };
  const forget = (): void =>
    then(async () => {
      savedToken = null;
      await vault.forget();
    });

  const offState = core.onState((state) => {
    if (state.connection.status !== 'online') return;
    then(async () => {
      const live = core.rememberable();
      if (!(await core.getSettings()).rememberMe) {
        if (savedToken !== null) forget();
        return;
      }
      // State changes often while online (unread counts...): write only a new token.
      if (live && live.token !== savedToken && (await vault.save(live))) savedToken = live.token;
    });
  });
  const offLoggedOut = core.onLoggedOut(() => forget());

  return {
    resumeAtStart: async () => {
      const saved = await vault.load();
      if (!saved) return null;
      if (!(await core.getSettings()).rememberMe) {
        forget();
        return null;
      }
      savedToken = saved.token;
      const result = await core.resume({ server: saved.server, token: saved.token });
      // A refused token is revoked for good; a server that is down may take it next time.
      if (!result.ok && result.error.code !== 'connect_failed' && result.error.code !== 'timeout') forget();
      return result;
    },
    settled: async () => {
      // A step may queue another (a save that turns into a forget): wait until none is added.
      for (let seen = work; ; seen = work) {
        await seen;
        if (seen === work) return;
      }
    },
    stop: () => {
      offState();
      offLoggedOut();
    },
  };
}
