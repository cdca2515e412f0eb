import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '@nats-io/transport-node';
import { natsUnavailable, startNats, type TestNats } from './nats.ts';

const skip = natsUnavailable();
if (skip) console.warn(`skipping the test nats-server: ${skip}`);

describe.skipIf(skip !== null)('test nats-server', () => {
  let nats: TestNats | undefined;
  afterEach(async () => {
    await nats?.stop();
    nats = undefined;
  });

  it('starts with JetStream on a free port of 127.0.0.1 and answers a request', async () => {
    nats = await startNats();
    const nc = await connect({ servers: nats.url });
    const sub = nc.subscribe('echo', { callback: (_err, m) => void m.respond(m.data) });
    const reply = await nc.request('echo', 'hi', { timeout: 2000 });
    expect(reply.string()).toBe('hi');
    sub.unsubscribe();
    expect(nats.log()).toMatch(/JetStream/);
    await nc.close();
  });

  it('listens on 127.0.0.1 only', async () => {
    nats = await startNats();
    // ss lists every socket the server holds: none may be bound to another address.
    const lines = execFileSync('ss', ['-ltnp'], { encoding: 'utf8' }).split('\n').filter((l) => l.includes('nats-server'));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(/127\.0\.0\.1:\d+/);
  });
});
