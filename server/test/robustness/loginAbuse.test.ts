import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SCRYPT } from '../../auth/passwords.ts';
import { JsonClient, TextClient } from '../../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: Array<{ close(): void }> = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

async function json(from?: string): Promise<JsonClient> {
  const c = await JsonClient.open(server!.port, from);
  clients.push(c);
  return c;
}

function memoryLog(): { lines: { level: string; fields: Record<string, unknown>; msg: string }[]; info: () => void; warn: (f: Record<string, unknown>, m: string) => void; error: () => void } {
  const lines: { level: string; fields: Record<string, unknown>; msg: string }[] = [];
  return { lines, info: () => {}, warn: (fields, msg) => lines.push({ level: 'warn', fields, msg }), error: () => {} };
}

describe('the lockout under parallel guesses', () => {
  it('checks at most 3 passwords for a username from one address however many arrive at once', async () => {
    // Many checks may run per address here, so the lockout alone stands between the guesses and the account.
    server = await startTestServer({ limits: { maxChecksPerAddress: 20, maxUnauthenticatedPerAddress: 20 } }, { alice: 'right' });
    const guessers = await Promise.all(Array.from({ length: 20 }, () => json()));
    // The right password comes last: a lockout that counts failures after the hash lets it in.
    const answers = await Promise.all(
      guessers.map((g, i) => g.request({ type: 'login', user: 'alice', password: i === 19 ? 'right' : `wrong${i}` }, 20_000)),
    );
    const checked = answers.filter((a) => a.ok || a.error.code === 'bad_credentials');
    expect(checked.length).toBeLessThanOrEqual(3);
    expect(answers.filter((a) => a.ok)).toEqual([]);
    expect(answers[19]).toMatchObject({ ok: false, error: { code: 'blocked' } });
    expect(answers.find((a) => !a.ok && a.error.code === 'blocked')!.error.retryAfter).toBeGreaterThan(0);
  });

  it('gives an address 20 failed logins per block time across usernames, then refuses the 21st', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const c = await json();
    for (let i = 0; i < 20; i++) {
      expect((await c.request({ type: 'login', user: `user${i}`, password: 'x' })).error.code).toBe('bad_credentials');
    }
    const refused = await c.request({ type: 'login', user: 'alice', password: 'pw' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'blocked' } });
    expect(refused.error.message).toContain('from your address');
    // Another address is not affected.
    const other = await json('127.0.2.1');
    expect((await other.request({ type: 'login', user: 'alice', password: 'pw' })).ok).toBe(true);
  });

  it('logs each failed login and each block with user and address, never the password', async () => {
    const log = memoryLog();
    server = await startTestServer({ log }, { alice: 'pw' });
    const c = await json();
    for (let i = 0; i < 3; i++) await c.request({ type: 'login', user: 'alice', password: 'Hunter2-secret' });
    const failed = log.lines.filter((l) => l.msg === 'login failed');
    expect(failed).toHaveLength(3);
    expect(failed[0]!.fields).toMatchObject({ user: 'alice', ip: '127.0.0.1' });
    expect(log.lines.filter((l) => l.msg === 'login blocked')).toHaveLength(1);
    expect(JSON.stringify(log.lines)).not.toContain('Hunter2');
  });
});

describe('the password check queue', () => {
  it('runs one check at a time per address and refuses the rest at once with retryAfter', async () => {
    server = await startTestServer({ scrypt: DEFAULT_SCRYPT }, { alice: 'pw' });
    const flood = await Promise.all(Array.from({ length: 8 }, () => json('127.0.3.1')));
    const answers = await Promise.all(flood.map((f, i) => f.request({ type: 'login', user: `x${i}`, password: 'x' }, 20_000)));
    const limited = answers.filter((a) => !a.ok && a.error.code === 'rate_limited');
    expect(limited.length).toBe(7);
    expect(limited[0]!.error.retryAfter).toBeGreaterThan(0);
  });

  it('lets a user from another address log in while one address floods wrong passwords', async () => {
    server = await startTestServer({ scrypt: DEFAULT_SCRYPT }, { alice: 'pw' });
    const flood = await Promise.all(Array.from({ length: 8 }, () => json('127.0.3.2')));
    let stop = false;
    let checked = 0;
    const hammer = async (f: JsonClient, i: number): Promise<void> => {
      for (let n = 0; !stop; n++) {
        const a = await f.request({ type: 'login', user: `x${i}-${n}`, password: 'x' }, 20_000);
        if (!a.ok && a.error.code === 'bad_credentials') checked++;
        if (!a.ok && a.error.code === 'blocked') return; // the address budget ran out
      }
    };
    const running = flood.map(hammer);
    const alice = await json('127.0.0.1');
    const before = checked;
    const answer = await alice.request({ type: 'login', user: 'alice', password: 'pw' }, 20_000);
    const during = checked - before;
    stop = true;
    expect(answer.ok).toBe(true);
    // Alice waited behind at most the one check the flooding address may run (and the one ending).
    expect(during).toBeLessThanOrEqual(2);
    await Promise.all(running);
  });
});

describe('connections waiting to log in', () => {
  it('takes at most 8 from one address, so four addresses with 64 each cannot lock everyone out', async () => {
    server = await startTestServer({}, { alice: 'pw' });
    const refusedLines: string[] = [];
    for (const from of ['127.0.4.1', '127.0.4.2', '127.0.4.3', '127.0.4.4']) {
      const held = await Promise.all(Array.from({ length: 12 }, () => TextClient.open(server!.port, '127.0.0.1', from)));
      clients.push(...held);
      for (const c of held.slice(0, 8)) await c.expect('Username: ');
      for (const c of held.slice(8)) {
        await c.waitClosed();
        refusedLines.push(c.buffer);
      }
    }
    expect(refusedLines[0]).toContain('Too many connections from your address waiting to log in');
    expect(refusedLines[0]).toContain('"reason":"too_many_connections"');
    const alice = await JsonClient.login(server.port, 'alice', 'pw', '127.0.5.1');
    clients.push(alice);
    expect((await alice.request({ type: 'who' })).ok).toBe(true);
  });

  it('closes a connection that sends nothing for silentCloseSec, and keeps one that is typing its name', async () => {
    server = await startTestServer({ limits: { silentCloseSec: 0.3 } }, { alice: 'pw' });
    const silent = await TextClient.open(server.port);
    clients.push(silent);
    const typing = await TextClient.open(server.port);
    clients.push(typing);
    await typing.expect('Username: ');
    typing.send('alice');
    await typing.expect('Password: ');
    await silent.waitClosed(5000);
    expect(silent.buffer).toContain('Nothing received for 0.3 seconds');
    typing.send('pw');
    await typing.expect(/^Welcome/m);
  });
});
