/**
 * Channel operators, voice and the topic lock (IRC's `@`, `+` and `+t`), owned by the chat layer
 * for every dialect. A member row says whether its user operates the channel or has voice. Channels that existed before
 * keep an open topic (topic_lock 0), as they had; new ones are created locked (ChannelStore).
 */
import type { Db } from '../db.ts';

export function up(db: Db): void {
  db.exec(`
    ALTER TABLE conversation_members ADD COLUMN operator INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE conversation_members ADD COLUMN voice INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE channels ADD COLUMN topic_lock INTEGER NOT NULL DEFAULT 0;
  `);
}
