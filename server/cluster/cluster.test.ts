/**
 * Two Parley nodes in this process joined by a real nats-server, each on its own SQLite folder
 * and then both on one PostgreSQL store: what the bus carries (presence, who, live delivery,
 * auto-replies, TIME_OUT, the duplicate-login rule, the lockout) holds with the two people on
 * different nodes; with the shared store, channels, history and `last` do too.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { JsonClient, type Line } from '../testkit/lineClient.ts';
import { natsUnavailable, startNats, type TestNats } from '../testkit/nats.ts';
import { describeEachServerEngine } from '../testkit/serverEngines.ts';
import { sharedPostgres } from '../testkit/storeEngines.ts';
import { openPostgresUserAdmin } from '../openUserAdmin.ts';
import { CHEAP_SCRYPT, stopTestServer, type TestServer, type TestServerOptions } from '../testkit/testServer.ts';

const skip = natsUnavailable();
if (skip) console.warn(`skipping the cluster bus tests: ${skip}`);

const USERS = { alice: 'pw', bob: 'pw', carol: 'pw', dave: 'pw' };

describeEachServerEngine('cluster bus between nodes', (startTestServer, engine) => describe.skipIf(skip !== null)('', () => {
  let nats: TestNats | undefined;
  let nodes: TestServer[] = [];
  let clients: JsonClient[] = [];

  afterEach(async () => {
    for (const c of clients) c.close();
    clients = [];
    for (const n of nodes) await stopTestServer(n);
    nodes = [];
    await nats?.stop();
    nats = undefined;
  });

  let store: string | undefined;
  async function cluster(names: string[], options: TestServerOptions = {}): Promise<TestServer[]> {
    nats = await startNats();
    // On PostgreSQL the nodes share one store; on SQLite each has its own folder.
    store = engine === 'postgres' ? await (await sharedPostgres()).createDatabase() : undefined;
    for (const node of names) await addNode(node, options);
    return nodes;
  }

  async function addNode(node: string, options: TestServerOptions = {}): Promise<TestServer> {
    const n = await startTestServer({ tls: false, cluster: { bus: nats!.url, node }, ...(store ? { store } : {}), ...options }, USERS);
    nodes.push(n);
    return n;
  }

  async function login(node: TestServer, user: string): Promise<JsonClient> {
    const c = await JsonClient.login(node.port, user, 'pw');
    clients.push(c);
    return c;
  }

  // The JSON dialect writes one presence line per change.
  const presence = (user: string, state: string) => (l: Line) => l.type === 'presence' && l.user === user && l.state === state;

  it('shows a user on node b as online, away and back to a user on node a, in who and in the node view', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const alice = await login(a!, 'alice');
    const bob = await login(b!, 'bob');
    await alice.waitFor(presence('bob', 'online'));
    expect((await alice.request({ type: 'who' })).users).toEqual([{ user: 'bob', state: 'online' }]);
    expect(a!.cluster!.remoteUsers()).toMatchObject([{ user: 'bob', node: 'b', away: null, guest: false }]);
    await bob.request({ type: 'away', message: 'lunch' });
    await alice.waitFor(presence('bob', 'away'));
    expect((await alice.request({ type: 'who' })).users).toEqual([{ user: 'bob', state: 'away', away: 'lunch' }]);
    // A node started later learns who is already online from a snapshot.
    const carol = await login(await addNode('c'), 'carol');
    await carol.waitFor(presence('bob', 'away'));
    expect((await carol.request({ type: 'who' })).users).toEqual([{ user: 'alice', state: 'online' }, { user: 'bob', state: 'away', away: 'lunch' }]);
  });

  it('delivers direct, group and broadcast messages live to the other node, with the away auto-reply only on direct ones', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const alice = await login(a!, 'alice');
    const carol = await login(a!, 'carol');
    const bob = await login(b!, 'bob');
    await alice.waitFor(presence('bob', 'online'));
    const sent = await alice.request({ type: 'send', to: ['bob'], text: 'hello' });
    expect(sent.recipients).toEqual([{ user: 'bob', status: 'delivered' }]);
    await bob.waitFor((l) => l.type === 'message' && l.message.text === 'hello' && l.message.from === 'alice');
    await alice.request({ type: 'send', to: ['bob', 'carol'], text: 'group' });
    await bob.waitFor((l) => l.type === 'message' && l.message.text === 'group');
    await carol.waitFor((l) => l.type === 'message' && l.message.text === 'group');

    await bob.request({ type: 'away', message: 'in a meeting' });
    await alice.waitFor(presence('bob', 'away'));
    const toAway = await alice.request({ type: 'send', to: ['bob'], text: 'are you there?' });
    expect(toAway.recipients).toEqual([{ user: 'bob', status: 'delivered', away: 'in a meeting' }]);
    await alice.waitFor((l) => l.type === 'message' && l.message.kind === 'auto-reply' && l.message.from === 'bob' && l.message.text === 'in a meeting');
    await bob.waitFor((l) => l.type === 'message' && l.message.kind === 'auto-reply' && l.message.to[0] === 'alice');

    await alice.request({ type: 'broadcast', text: 'lunch?' });
    await bob.waitFor((l) => l.type === 'message' && l.message.kind === 'broadcast' && l.message.text === 'lunch?');
    // Sending ends away, on the other node too; the broadcast got no auto-reply.
    await bob.request({ type: 'send', to: ['alice'], text: 'back now' });
    await alice.waitFor((l) => l.type === 'message' && l.message.text === 'back now');
    await alice.waitFor(presence('bob', 'online'));
    expect(alice.messages().filter((m) => m.kind === 'auto-reply')).toHaveLength(1);
    expect(bob.messages().map((m) => m.text)).toEqual(['hello', 'group', 'are you there?', 'in a meeting', 'lunch?']);
  });

  it('passes typing notices and edits on node a to the other member on node b, and a broadcast edit to everyone there', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const alice = await login(a!, 'alice');
    const bob = await login(b!, 'bob');
    const carol = await login(b!, 'carol');
    await alice.waitFor(presence('carol', 'online'));
    const sent = await alice.request({ type: 'send', to: ['bob'], text: 'helo' });
    await alice.request({ type: 'typing', conversation: 'direct:alice,bob' });
    expect(await bob.waitFor((l) => l.type === 'typing')).toEqual({ type: 'typing', conversation: 'direct:alice,bob', user: 'alice' });
    await alice.request({ type: 'edit', message: sent.message.id, text: 'hello' });
    expect((await bob.waitFor((l) => l.type === 'edited')).message.text).toBe('hello');
    const everyone = await alice.request({ type: 'broadcast', text: 'all hands' });
    await alice.request({ type: 'edit', message: everyone.message.id, text: 'all hands at 3' });
    expect((await carol.waitFor((l) => l.type === 'edited')).message.text).toBe('all hands at 3');
    expect(carol.lines.filter((l) => l.type === 'typing')).toEqual([]);
  });

  it('refuses a user logged in on node a at node b, and lets them in once they logged out', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const bob = await login(b!, 'bob');
    const alice = await login(a!, 'alice');
    await bob.waitFor(presence('alice', 'online'));
    const other = await JsonClient.open(b!.port);
    clients.push(other);
    expect((await other.request({ type: 'login', user: 'alice', password: 'pw' })).error.code).toBe('already_logged_in');
    await alice.request({ type: 'logout' });
    await bob.waitFor(presence('alice', 'offline'));
    const again = await other.request({ type: 'login', user: 'alice', password: 'pw' });
    expect(again.ok).toBe(true);
  });

  it('lets exactly one of two simultaneous logins of one user on two nodes in', async () => {
    const [a, b] = await cluster(['a', 'b']);
    for (let round = 0; round < 5; round++) {
      const [x, y] = [await JsonClient.open(a!.port), await JsonClient.open(b!.port)];
      clients.push(x, y);
      const answers = await Promise.all([x.request({ type: 'login', user: 'dave', password: 'pw' }), y.request({ type: 'login', user: 'dave', password: 'pw' })]);
      expect(answers.filter((r) => r.ok === true)).toHaveLength(1);
      expect(answers.filter((r) => r.error?.code === 'already_logged_in')).toHaveLength(1);
      const winner = answers[0]!.ok ? x : y;
      await winner.request({ type: 'logout' });
    }
  });

  it('blocks a username after 3 wrong passwords from one address spread over two nodes', async () => {
    const [a, b] = await cluster(['a', 'b'], { blockTimeSec: 30 });
    const onA = await JsonClient.open(a!.port);
    const onB = await JsonClient.open(b!.port);
    clients.push(onA, onB);
    expect((await onA.request({ type: 'login', user: 'bob', password: 'x' })).error).toMatchObject({ code: 'bad_credentials', attemptsLeft: 2 });
    expect((await onB.request({ type: 'login', user: 'bob', password: 'x' })).error).toMatchObject({ code: 'bad_credentials', attemptsLeft: 1 });
    expect((await onA.request({ type: 'login', user: 'bob', password: 'x' })).error).toMatchObject({ code: 'blocked' });
    // Blocked everywhere, even with the right password.
    expect((await onB.request({ type: 'login', user: 'bob', password: 'pw' })).error.code).toBe('blocked');
    expect((await onA.request({ type: 'login', user: 'alice', password: 'pw' })).ok).toBe(true);
  });

  it('logs a user idle for TIME_OUT out on node b, offline for node a at once; away users are exempt', async () => {
    const [a, b] = await cluster(['a', 'b'], { timeOutSec: 0.5 });
    const alice = await login(a!, 'alice');
    await alice.request({ type: 'away', message: 'reading' });
    const carol = await login(b!, 'carol');
    await carol.request({ type: 'away', message: 'out' });
    await login(b!, 'bob');
    await alice.waitFor(presence('bob', 'online'));
    await alice.waitFor(presence('bob', 'offline'), 3000);
    expect((await alice.request({ type: 'who' })).users).toEqual([{ user: 'carol', state: 'away', away: 'out' }]);
  });

  it.skipIf(engine !== 'postgres')('shares channels, history and last over the store: no auto-reply to a channel message', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const alice = await login(a!, 'alice');
    const bob = await login(b!, 'bob');
    expect((await alice.request({ type: 'join', channel: 'lab' })).ok).toBe(true);
    // Joined on node b: node a's answer to a join there already counts bob in.
    expect((await bob.request({ type: 'join', channel: 'lab' })).channel.members).toEqual(['alice', 'bob']);
    await bob.request({ type: 'away', message: 'busy' });
    await alice.waitFor(presence('bob', 'away'));
    const sent = await alice.request({ type: 'send', channel: 'lab', text: 'standup' });
    expect((await bob.waitFor((l) => l.type === 'message' && l.message.text === 'standup')).message.id).toBe(sent.message.id);
    await bob.request({ type: 'topic', channel: 'lab', topic: 'sprint 3' }).then((r) => expect(r.error.code).toBe('not_operator'));
    const direct = await alice.request({ type: 'send', to: ['bob'], text: 'ping' });
    await alice.waitFor((l) => l.type === 'message' && l.message.kind === 'auto-reply');
    expect((await bob.request({ type: 'history', conversation: 'channel:lab' })).messages.map((m: Line) => m.id)).toEqual([sent.message.id]);
    expect((await bob.request({ type: 'history', conversation: 'direct:alice,bob' })).messages[1]).toMatchObject({ id: direct.message.id, text: 'ping' });
    expect(alice.messages().filter((m) => m.kind === 'auto-reply')).toHaveLength(1); // the direct one only
    await bob.request({ type: 'logout' });
    await alice.waitFor(presence('bob', 'offline'));
    expect((await alice.request({ type: 'last', minutes: 1 })).users).toEqual([{ user: 'bob', state: 'offline' }]);
    expect((await alice.request({ type: 'channels' })).channels).toEqual([{ name: 'lab', topic: '', members: 2, joined: true }]);
  });

  it.skipIf(engine !== 'postgres')('applies `users` changes made against the shared store on every node within a poll', async () => {
    const [a, b] = await cluster(['a', 'b'], { limits: { accountPollMs: 100 } });
    const alice = await login(b!, 'alice');
    const bob = await login(a!, 'bob');
    const admin = await openPostgresUserAdmin(store!, CHEAP_SCRYPT);
    try {
      expect(await admin.users.setPassword('alice', 'new')).toBe(true);
      expect(await admin.users.remove('bob')).toBe(true);
      expect(await admin.users.add('erin', 'pw')).toBe(true);
      expect(await admin.users.add('frank', 'pw')).toBe(true);
    } finally {
      await admin.close();
    }
    const ended = (l: Line): boolean => l.type === 'disconnect' && l.reason === 'account_changed';
    expect((await alice.waitFor(ended, 3000)).message).toMatch(/password was changed/);
    expect((await bob.waitFor(ended, 3000)).message).toMatch(/account was removed/);
    // New accounts log in on either node (login() throws on a refusal).
    await login(a!, 'erin');
    await login(b!, 'frank');
  });

  it('takes a node that closes cleanly off the others at once', async () => {
    const [a, b] = await cluster(['a', 'b']);
    const alice = await login(a!, 'alice');
    await login(b!, 'bob');
    await alice.waitFor(presence('bob', 'online'));
    const started = Date.now();
    await stopTestServer(b!);
    nodes = nodes.filter((n) => n !== b);
    await alice.waitFor(presence('bob', 'offline'), 1000);
    expect(Date.now() - started).toBeLessThan(1000);
  });
}));
