import { describe, expect, it } from 'vitest';
import type { CoreState } from '../core/api.ts';
import type { ChatMessage } from '../../server/protocol/common/types.ts';
import { notificationToShow, shouldNotify } from './desktopManners.ts';
import { badgeCount, trayIconFor } from './trayTemplate.ts';

const msg = (text: string, patch: Partial<ChatMessage> = {}): ChatMessage => ({
  id: 1, from: 'bob', to: [], conversation: 'channel:lab', kind: 'channel', text, ts: '2026-12-02T20:00:00.000Z', ...patch,
});
const state = (patch: Partial<CoreState> = {}): CoreState => ({
  connection: { status: 'online', server: { host: '127.0.0.1', port: 1995 }, user: 'alice' },
  away: { away: false }, hosting: { status: 'stopped' }, unread: 0, unreadByConversation: {}, mentions: 0, mentionsByConversation: {},
  security: null, discovered: [], ...patch,
});

describe('mentions in the desktop notification rule', () => {
  it('notifies a message that mentions the user even while notifications are muted', () => {
    const muted = { me: 'alice', windowFocused: false, muted: true };
    expect(shouldNotify(msg('@alice can you look?'), muted)).toBe(true);
    expect(shouldNotify(msg('hey @ALICE'), muted)).toBe(true);
    expect(shouldNotify(msg('no mention here'), muted)).toBe(false);
    expect(shouldNotify(msg('@alicea is someone else'), muted)).toBe(false);
    expect(shouldNotify(msg('mail alice@example.org'), muted)).toBe(false);
  });

  it('still stays quiet for a mention in the focused window, from oneself, or in an auto-reply', () => {
    expect(shouldNotify(msg('@alice'), { me: 'alice', windowFocused: true, muted: true })).toBe(false);
    expect(shouldNotify(msg('@alice', { from: 'alice' }), { me: 'alice', windowFocused: false, muted: true })).toBe(false);
    expect(shouldNotify(msg('@alice', { kind: 'auto-reply' }), { me: 'alice', windowFocused: false, muted: true })).toBe(false);
  });

  it('shows the notification for a mention with muted settings', () => {
    const n = notificationToShow(msg('@alice ping'), { state: state(), settings: { muted: true, mutedConversations: [] }, windowFocused: false, supported: true });
    expect(n).toEqual({ title: '#lab bob', body: '@alice ping', conversation: 'channel:lab' });
  });
});

describe('one muted conversation', () => {
  const quiet = { muted: false, mutedConversations: ['channel:lab'] };
  const ctx = { state: state(), settings: quiet, windowFocused: false, supported: true };

  it('notifies nothing from it but mentions; other conversations still notify', () => {
    expect(notificationToShow(msg('lunch?'), ctx)).toBeNull();
    expect(notificationToShow(msg('@alice lunch?'), ctx)).toMatchObject({ conversation: 'channel:lab' });
    expect(notificationToShow(msg('lunch?', { conversation: 'channel:ops' }), ctx)).toMatchObject({ conversation: 'channel:ops' });
  });

  it('counts only its mentions in the badge', () => {
    const s = state({ unread: 9, unreadByConversation: { 'channel:lab': 6, 'direct:alice,bob': 3 }, mentions: 2, mentionsByConversation: { 'channel:lab': 2 } });
    expect(badgeCount(s, quiet)).toBe(5);
    expect(badgeCount(s, { muted: false, mutedConversations: [] })).toBe(9);
  });
});

describe('mentions in the tray and badge', () => {
  it('counts the badge as unread, or only mentions while muted', () => {
    const s = state({ unread: 5, mentions: 2 });
    expect(badgeCount(s, { muted: false, mutedConversations: [] })).toBe(5);
    expect(badgeCount(s, { muted: true, mutedConversations: [] })).toBe(2);
  });

  it('says how many unread messages mention the user in the tooltip', () => {
    expect(trayIconFor(state({ unread: 5, mentions: 2 })).tooltip).toBe('Parley - Available - 5 unread, 2 mentioning you');
    expect(trayIconFor(state({ unread: 5 })).tooltip).toBe('Parley - Available - 5 unread');
  });
});
