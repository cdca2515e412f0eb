import { expect, it } from 'vitest';
import { channelKey } from '../../protocol/index.ts';
import { describeEachEngine } from '../../testkit/storeEngines.ts';
import { inConversation, people } from './scenario.ts';

describeEachEngine('the channel store', (h) => {
  it('creates a channel once, topic-locked, and finds and lists channels by name', async () => {
    const { channels } = h.stores();
    const lab = await channels.create('lab', 1000);
    expect(lab).toMatchObject({ name: 'lab', topic: '', topicBy: null, topicAt: 1000, createdAt: 1000, topicLock: true });
    expect(await channels.find('lab')).toEqual(lab);
    await expect(channels.create('lab', 2000)).rejects.toThrow();
    await channels.create('alpha', 3000);
    expect((await channels.all()).map((c) => c.name)).toEqual(['alpha', 'lab']);
    expect(await channels.find('nope')).toBeUndefined();
    expect(await h.stores().messages.findConversation(channelKey('lab'))).toBe(lab.id);
  });

  it('keeps members with operator and voice flags, sorted by name, without removed accounts', async () => {
    const { channels, users } = h.stores();
    const ids = await people(h.stores(), 'zed', 'amy', 'bo');
    const { id } = await channels.create('lab', 1);
    await channels.addMember(id, ids['zed']!, true);
    await channels.addMember(id, ids['amy']!, false);
    await channels.addMember(id, ids['amy']!, true);
    await channels.addMember(id, ids['bo']!, false);
    expect(await channels.members(id)).toEqual([
      { id: ids['amy'], name: 'amy', operator: false, voice: false },
      { id: ids['bo'], name: 'bo', operator: false, voice: false },
      { id: ids['zed'], name: 'zed', operator: true, voice: false },
    ]);
    await channels.setOperator(id, ids['amy']!, true);
    await channels.setVoice(id, ids['bo']!, true);
    await channels.setOperator(id, ids['zed']!, false);
    await users.remove('zed', 2);
    expect(await channels.members(id)).toEqual([
      { id: ids['amy'], name: 'amy', operator: true, voice: false },
      { id: ids['bo'], name: 'bo', operator: false, voice: true },
    ]);
    await channels.removeMember(id, ids['bo']!);
    expect((await channels.members(id)).map((m) => m.name)).toEqual(['amy']);
  });

  it('sets the topic with who and when, and the topic lock', async () => {
    const { channels } = h.stores();
    const { id } = await channels.create('lab', 1);
    await channels.setTopic(id, 'Welcome', 'amy', 50);
    await channels.setTopicLock(id, false);
    expect(await channels.find('lab')).toMatchObject({ topic: 'Welcome', topicBy: 'amy', topicAt: 50, createdAt: 1, topicLock: false });
    await channels.setTopicLock(id, true);
    expect((await channels.find('lab'))!.topicLock).toBe(true);
  });

  it("names a user's channels, and shows a channel's messages to its members only", async () => {
    const { channels, messages } = h.stores();
    const ids = await people(h.stores(), 'amy', 'bo');
    const lab = await channels.create('lab', 1);
    const ops = await channels.create('ops', 1);
    await channels.addMember(lab.id, ids['amy']!, true);
    await channels.addMember(ops.id, ids['amy']!, false);
    await channels.addMember(lab.id, ids['bo']!, false);
    expect(await channels.channelsOf(ids['amy']!)).toEqual(['lab', 'ops']);
    expect(await channels.channelsOf(ids['bo']!)).toEqual(['lab']);
    await messages.append([inConversation(ids, ops.id, channelKey('ops'), 'amy', 'ops only'), inConversation(ids, lab.id, channelKey('lab'), 'amy', 'for all')]);
    const bo = await messages.syncPage(ids['bo']!, 0, 10);
    expect(bo.entries.map((e) => (e.type === 'message' ? [e.message.conversation, e.message.text] : e.type))).toEqual([['channel:lab', 'for all']]);
    expect(await messages.isMember(ids['bo']!, ops.id)).toBe(false);
    const list = await messages.conversationsOf(ids['amy']!, 'amy');
    expect(list.map((c) => [c.key, c.kind])).toEqual([
      ['everyone', 'everyone'],
      ['channel:lab', 'channel'],
      ['channel:ops', 'channel'],
    ]);
  });
});
