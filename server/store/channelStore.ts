/**
 * Named channels: name, topic and persistent membership (conversation_members rows, the same
 * ones history, sync and unread counts check). A channel's conversation has the key
 * `channel:<name>`, so its messages go through MessageStore like any other.
 */
import { channelKey } from '../protocol/index.ts';
import type { Db } from './db.ts';

export interface ChannelRow {
  /** The conversation id. */
  id: number;
  name: string;
  topic: string;
  topicBy: string | null;
  /** ms timestamp of the topic, or of the creation when none was set. */
  topicAt: number;
  createdAt: number;
  /** `+t`: only operators set the topic. */
  topicLock: boolean;
}

export interface ChannelMemberRow {
  id: number;
  name: string;
  operator: boolean;
  voice: boolean;
}

interface Row {
  id: number;
  name: string;
  topic: string;
  topic_by: string | null;
  topic_at: number | null;
  created_at: number;
  topic_lock: number;
}

const toChannel = (r: Row): ChannelRow => ({
  id: r.id,
  name: r.name,
  topic: r.topic,
  topicBy: r.topic_by,
  topicAt: r.topic_at ?? r.created_at,
  createdAt: r.created_at,
  topicLock: r.topic_lock === 1,
});

const COLUMNS = 'conversation_id AS id, name, topic, topic_by, topic_at, created_at, topic_lock';

export class ChannelStore {
  private readonly stmts;
  private readonly createTx;

  constructor(private readonly db: Db) {
    this.stmts = {
      byName: db.prepare<{ name: string }, Row>(`SELECT ${COLUMNS} FROM channels WHERE name = :name`),
      all: db.prepare<[], Row>(`SELECT ${COLUMNS} FROM channels ORDER BY name`),
      insertConversation: db.prepare<{ key: string }>("INSERT INTO conversations (key, kind) VALUES (:key, 'channel')"),
      insertChannel: db.prepare<{ id: number; name: string; now: number }>(
        // New channels are topic-locked (+t), as IRC servers make them.
        'INSERT INTO channels (conversation_id, name, created_at, topic_lock) VALUES (:id, :name, :now, 1)',
      ),
      // Removed accounts keep their rows (tombstones) but are members of nothing visible.
      members: db.prepare<{ id: number }, { id: number; name: string; operator: number; voice: number }>(
        `SELECT u.id, u.name, cm.operator, cm.voice FROM conversation_members cm JOIN users u ON u.id = cm.user_id
         WHERE cm.conversation_id = :id AND u.removed_at IS NULL ORDER BY u.name`,
      ),
      addMember: db.prepare<{ userId: number; id: number; operator: number }>(
        'INSERT OR IGNORE INTO conversation_members (user_id, conversation_id, operator) VALUES (:userId, :id, :operator)',
      ),
      setOperator: db.prepare<{ userId: number; id: number; operator: number }>(
        'UPDATE conversation_members SET operator = :operator WHERE user_id = :userId AND conversation_id = :id',
      ),
      setVoice: db.prepare<{ userId: number; id: number; voice: number }>(
        'UPDATE conversation_members SET voice = :voice WHERE user_id = :userId AND conversation_id = :id',
      ),
      setTopicLock: db.prepare<{ id: number; on: number }>('UPDATE channels SET topic_lock = :on WHERE conversation_id = :id'),
      removeMember: db.prepare<{ userId: number; id: number }>('DELETE FROM conversation_members WHERE user_id = :userId AND conversation_id = :id'),
      setTopic: db.prepare<{ id: number; topic: string; by: string; at: number }>(
        'UPDATE channels SET topic = :topic, topic_by = :by, topic_at = :at WHERE conversation_id = :id',
      ),
      ofUser: db.prepare<{ userId: number }, { name: string }>(
        `SELECT ch.name FROM channels ch JOIN conversation_members cm ON cm.conversation_id = ch.conversation_id
         WHERE cm.user_id = :userId ORDER BY ch.name`,
      ),
    };
    this.createTx = db.transaction((name: string, now: number): ChannelRow => {
      const id = Number(this.stmts.insertConversation.run({ key: channelKey(name) }).lastInsertRowid);
      this.stmts.insertChannel.run({ id, name, now });
      return { id, name, topic: '', topicBy: null, topicAt: now, createdAt: now, topicLock: true };
    });
  }

  find(name: string): ChannelRow | undefined {
    const row = this.stmts.byName.get({ name });
    return row ? toChannel(row) : undefined;
  }

  /** Creates the channel `name` (bare, lower-case), which must not exist. */
  create(name: string, now: number): ChannelRow {
    return this.createTx(name, now);
  }

  all(): ChannelRow[] {
    return this.stmts.all.all().map(toChannel);
  }

  /** Account members, sorted by name. */
  members(id: number): ChannelMemberRow[] {
    return this.stmts.members.all({ id }).map((m) => ({ id: m.id, name: m.name, operator: m.operator === 1, voice: m.voice === 1 }));
  }

  addMember(id: number, userId: number, operator: boolean): void {
    this.stmts.addMember.run({ userId, id, operator: operator ? 1 : 0 });
  }

  setOperator(id: number, userId: number, operator: boolean): void {
    this.stmts.setOperator.run({ userId, id, operator: operator ? 1 : 0 });
  }

  setVoice(id: number, userId: number, voice: boolean): void {
    this.stmts.setVoice.run({ userId, id, voice: voice ? 1 : 0 });
  }

  setTopicLock(id: number, on: boolean): void {
    this.stmts.setTopicLock.run({ id, on: on ? 1 : 0 });
  }

  removeMember(id: number, userId: number): void {
    this.stmts.removeMember.run({ userId, id });
  }

  setTopic(id: number, topic: string, by: string, at: number): void {
    this.stmts.setTopic.run({ id, topic, by, at });
  }

  /** Names of the channels the user is a member of. */
  channelsOf(userId: number): string[] {
    return this.stmts.ofUser.all({ userId }).map((r) => r.name);
  }
}
