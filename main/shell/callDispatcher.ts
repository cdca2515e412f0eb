/**
 * The one way a call from a window reaches core, for the Electron IPC handlers and the browser
 * host's WebSocket alike: check the sender, check the call's name, validate its arguments
 * (main/core/apiArgs.ts), call core, and shape the result. A refused call never reaches core.
 */
import type { ApiError, ParleyApi } from '../core/api.ts';
import { checkArgs, isApiCall } from '../core/apiArgs.ts';

export type Refusal = { ok: false; error: ApiError };

export const NOT_FROM_APP: Refusal = { ok: false, error: { code: 'invalid_argument', message: 'calls are accepted only from the app window' } };

/** Answers one call from `sender`; resolves (never rejects) with core's answer or a refusal. */
export type Dispatch<S> = (sender: S, name: unknown, args: unknown) => Promise<unknown>;

export function createDispatcher<S>(api: ParleyApi, senderAllowed: (sender: S) => boolean): Dispatch<S> {
  return async (sender, name, args) => {
    if (!senderAllowed(sender)) return NOT_FROM_APP;
    if (!isApiCall(name)) return refuse('invalid_argument', `unknown call ${String(name).slice(0, 40)}`);
    const checked = checkArgs(name, args);
    if (!checked.ok) return refuse('invalid_argument', checked.message);
    // Optional calls (desktop-only ones) are absent from a core that cannot offer them.
    const method = api[name] as ((...a: unknown[]) => Promise<unknown>) | undefined;
    if (!method) return refuse('unavailable', `${name} is not available here.`);
    try {
      return await method.apply(api, checked.args);
    } catch (err) {
      // A bug in core: the window gets a result with a code, and the log gets the stack.
      console.error(`parley: ${name} failed`, err);
      return refuse('internal', err instanceof Error ? err.message : String(err));
    }
  };
}

function refuse(code: ApiError['code'], message: string): Refusal {
  return { ok: false, error: { code, message } };
}
