import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCore, type Core } from '../core/core.ts';
import { createDispatcher, NOT_FROM_APP } from './callDispatcher.ts';
import { desktopApi } from './ipcBridge.ts';
import { testCa } from '../../server/testkit/testCa.ts';

/** Test servers use the test CA's certificate; these cores trust it as a system CA. */
const TEST_CA = (await testCa()).caPem;

let core: Core | undefined;
let dataDir = '';
afterEach(async () => {
  await core?.close();
  core = undefined;
  rmSync(dataDir, { recursive: true, force: true });
});
function newCore(): Core {
  dataDir = mkdtempSync(join(tmpdir(), 'parley-dispatch-'));
  return (core = createCore({ trustedCa: [TEST_CA], dataDir }));
}

describe('the call dispatcher', () => {
  it('checks the sender first, then the name, then the arguments, and only then calls core', async () => {
    const c = newCore();
    const dispatch = createDispatcher<string>(c, (sender) => sender === 'app');
    expect(await dispatch('stranger', 'updateSettings', [{ muted: true }])).toEqual(NOT_FROM_APP);
    expect(await dispatch('app', 'eval', [])).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: 'unknown call eval' } });
    expect(await dispatch('app', 'constructor', [])).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(await dispatch('app', 'updateSettings', [{ muted: 'yes' }])).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: /muted/ } });
    expect(await dispatch('app', 'updateSettings', 'not a list')).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect((await c.getSettings()).muted).toBe(false);
    expect(await dispatch('app', 'updateSettings', [{ muted: true }])).toMatchObject({ muted: true });
    expect(await dispatch('app', 'host', [{ port: 0, scope: 'everywhere' }])).toMatchObject({ ok: false, error: { code: 'invalid_argument', message: /scope/ } });
  });

  it('turns a call that throws into a result with the internal code instead of a rejection', async () => {
    const c = newCore();
    const api = desktopApi(c, {
      rememberMeStatus: async () => {
        throw new Error('keyring exploded');
      },
    });
    const dispatch = createDispatcher<null>(api, () => true);
    expect(await dispatch(null, 'rememberMeStatus', [])).toEqual({ ok: false, error: { code: 'internal', message: 'keyring exploded' } });
  });
});
