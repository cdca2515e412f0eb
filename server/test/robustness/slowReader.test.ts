import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../../log.ts';
import { JsonClient } from '../../testkit/lineClient.ts';
import { startTestServer, stopTestServer, type TestServer } from '../../testkit/testServer.ts';

let server: TestServer | undefined;
const clients: JsonClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await stopTestServer(server);
  server = undefined;
});

/** Keeps the server's log lines, to check what it says about a client it cut off. */
function recordingLogger(): Logger & { lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> } {
  const lines: Array<{ level: string; fields: Record<string, unknown>; msg: string }> = [];
  const at = (level: string) => (fields: Record<string, unknown>, msg: string) => void lines.push({ level, fields, msg });
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

describe('a client that stops reading', () => {
  it('is cut off when its output queue reaches the cap, with a logged reason; the others get everything', async () => {
    const log = recordingLogger();
    const capBytes = 256 * 1024;
    server = await startTestServer({ log, limits: { maxQueueBytes: capBytes } }, { alice: 'pw', bob: 'pw', slow: 'pw' });
    const alice = await JsonClient.login(server.port, 'alice', 'pw');
    const bob = await JsonClient.login(server.port, 'bob', 'pw');
    const slow = await JsonClient.login(server.port, 'slow', 'pw');
    clients.push(alice, bob, slow);
    slow.text.socket.pause(); // never reads again

    const text = 'x'.repeat(7000);
    let sent = 0;
    // Broadcast until the server gives up on the slow reader (the kernel's buffers fill first).
    const cutOff = (): boolean => log.lines.some((l) => l.msg.includes('output queue full'));
    while (!cutOff()) {
      if (sent >= 3000) throw new Error('the slow reader was never disconnected');
      await alice.request({ type: 'broadcast', text: `${sent} ${text}` });
      sent++;
    }
    // Reading again at once, the slow client learns why it was cut off.
    slow.text.socket.resume();
    const told = await slow.waitFor((l) => l.type === 'disconnect', 10_000, 'the queue_full notice');
    expect(told).toMatchObject({ reason: 'queue_full' });
    await slow.waitClosed();
    const cut = log.lines.find((l) => l.msg.includes('output queue full'));
    expect(cut).toMatchObject({ level: 'warn', fields: { user: 'slow' } });
    expect(cut!.fields.queued as number).toBeLessThanOrEqual(capBytes);

    // bob received every broadcast, in order.
    await bob.waitFor(() => bob.messages().length === sent, 10_000, `${sent} broadcasts`);
    expect(bob.messages().map((m) => Number(String(m.text).split(' ')[0]))).toEqual(Array.from({ length: sent }, (_, i) => i));
    // Memory stayed bounded: what the server held for the slow reader never passed the cap,
    // although far more than that was broadcast to it.
    expect(sent * text.length).toBeGreaterThan(4 * capBytes);
    const who = await bob.request({ type: 'users' });
    expect(who.users.find((u: { user: string }) => u.user === 'slow').state).toBe('offline');
  });
});
