/**
 * Named channels in PostgreSQL, as ChannelStore keeps them in SQLite: a channel is a conversation
 * of kind `channel` (key `channel:<name>`) whose members are conversation_members rows, so
 * history, sync and unread counts work for channels unchanged.
 */
import type pg from 'pg';
import { channelKey } from '../../protocol/index.ts';
import type { ChannelMemberRow, ChannelRow } from '../channelStore.ts';
import type { AsyncChannelStore } from '../promised.ts';
import { transaction } from './pgDatabase.ts';

interface Row {
  id: number;
  name: string;
  topic: string;
  topic_by: string | null;
  topic_at: number | null;
  created_at: number;
  topic_lock: boolean;
}

const toChannel = (r: Row): ChannelRow => ({
  id: r.id,
  name: r.name,
  topic: r.topic,
  topicBy: r.topic_by,
  topicAt: r.topic_at ?? r.created_at,
  createdAt: r.created_at,
  topicLock: r.topic_lock,
});

const COLUMNS = 'conversation_id AS id, name, topic, topic_by, topic_at, created_at, topic_lock';

export class PgChannelStore implements AsyncChannelStore {
  constructor(private readonly pool: pg.Pool) {}

  async find(name: string): Promise<ChannelRow | undefined> {
    const row = (await this.pool.query<Row>(`SELECT ${COLUMNS} FROM channels WHERE name = $1`, [name])).rows[0];
    return row ? toChannel(row) : undefined;
  }

  /**
   * Creates the channel `name` (bare, lower-case), which must not exist: when another node
   * creates it first, the UNIQUE key rejects this one, as SQLite's does.
   */
  create(name: string, now: number): Promise<ChannelRow> {
    return transaction(this.pool, async (c) => {
      const id = (await c.query<{ id: number }>("INSERT INTO conversations (key, kind) VALUES ($1, 'channel') RETURNING id", [channelKey(name)])).rows[0]!.id;
      // New channels are topic-locked (+t), as IRC servers make them.
      await c.query('INSERT INTO channels (conversation_id, name, created_at, topic_lock) VALUES ($1, $2, $3, true)', [id, name, now]);
      return { id, name, topic: '', topicBy: null, topicAt: now, createdAt: now, topicLock: true };
    });
  }

  async all(): Promise<ChannelRow[]> {
    return (await this.pool.query<Row>(`SELECT ${COLUMNS} FROM channels ORDER BY name COLLATE "C"`)).rows.map(toChannel);
  }

  /** Account members, sorted by name; removed accounts keep their rows but are members of nothing visible. */
  async members(id: number): Promise<ChannelMemberRow[]> {
    const r = await this.pool.query<ChannelMemberRow>(
      `SELECT u.id, u.name, cm.operator, cm.voice FROM conversation_members cm JOIN users u ON u.id = cm.user_id
       WHERE cm.conversation_id = $1 AND u.removed_at IS NULL ORDER BY u.name COLLATE "C"`,
      [id],
    );
    return r.rows;
  }

  async addMember(id: number, userId: number, operator: boolean): Promise<void> {
    await this.pool.query('INSERT INTO conversation_members (user_id, conversation_id, operator) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [userId, id, operator]);
  }

  async setOperator(id: number, userId: number, operator: boolean): Promise<void> {
    await this.pool.query('UPDATE conversation_members SET operator = $3 WHERE user_id = $1 AND conversation_id = $2', [userId, id, operator]);
  }

  async setVoice(id: number, userId: number, voice: boolean): Promise<void> {
    await this.pool.query('UPDATE conversation_members SET voice = $3 WHERE user_id = $1 AND conversation_id = $2', [userId, id, voice]);
  }

  async setTopicLock(id: number, on: boolean): Promise<void> {
    await this.pool.query('UPDATE channels SET topic_lock = $2 WHERE conversation_id = $1', [id, on]);
  }

  async removeMember(id: number, userId: number): Promise<void> {
    await this.pool.query('DELETE FROM conversation_members WHERE user_id = $1 AND conversation_id = $2', [userId, id]);
  }

  async setTopic(id: number, topic: string, by: string, at: number): Promise<void> {
    await this.pool.query('UPDATE channels SET topic = $2, topic_by = $3, topic_at = $4 WHERE conversation_id = $1', [id, topic, by, at]);
  }

  /** Names of the channels the user is a member of. */
  async channelsOf(userId: number): Promise<string[]> {
    const r = await this.pool.query<{ name: string }>(
      `SELECT ch.name FROM channels ch JOIN conversation_members cm ON cm.conversation_id = ch.conversation_id
       WHERE cm.user_id = $1 ORDER BY ch.name COLLATE "C"`,
      [userId],
    );
    return r.rows.map((x) => x.name);
  }
}
