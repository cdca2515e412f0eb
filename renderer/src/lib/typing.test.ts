import { describe, expect, it } from 'vitest';
import type { ChatMessage } from '../../../server/protocol/common/types.ts';
import { TypingState, typingInWords, type TypingClock } from './typing.svelte.ts';

/** A clock that moves only when told, running due timers as it passes them. */
function manualClock(): TypingClock & { advance(ms: number): void } {
  let now = 0;
  const timers: { at: number; run: () => void; live: boolean }[] = [];
  return {
    now: () => now,
    after(ms, run) {
      const t = { at: now + ms, run, live: true };
      timers.push(t);
      return () => void (t.live = false);
    },
    advance(ms) {
      now += ms;
      for (const t of timers.filter((x) => x.live && x.at <= now)) (t.live = false), t.run();
    },
  };
}

function fakeApi() {
  let typing: (e: { conversation: string; user: string }) => void = () => {};
  let message: (m: ChatMessage) => void = () => {};
  const sent: string[] = [];
  return {
    sent,
    hear: (conversation: string, user: string) => typing({ conversation, user }),
    message: (conversation: string, from: string) => message({ id: 1, from, to: [], conversation, kind: 'channel', text: 'x', ts: '' }),
    api: {
      typing: async ({ conversation }: { conversation: string }) => (sent.push(conversation), { ok: true as const, value: null }),
      onTyping: (l: typeof typing) => ((typing = l), () => {}),
      onMessage: (l: typeof message) => ((message = l), () => {}),
    },
  };
}

describe('TypingState', () => {
  it('shows someone as typing for 5 s after their last notice', () => {
    const clock = manualClock();
    const f = fakeApi();
    const t = new TypingState(f.api, 'alice', clock);
    t.init();
    f.hear('channel:lab', 'bob');
    expect(t.typingIn('channel:lab')).toEqual(['bob']);
    clock.advance(4000);
    f.hear('channel:lab', 'bob');
    clock.advance(4999);
    expect(t.typingIn('channel:lab')).toEqual(['bob']);
    clock.advance(1);
    expect(t.typingIn('channel:lab')).toEqual([]);
  });

  it('ends the indicator when their message arrives, and never shows the user themself', () => {
    const clock = manualClock();
    const f = fakeApi();
    const t = new TypingState(f.api, 'alice', clock);
    t.init();
    f.hear('direct:alice,bob', 'bob');
    f.hear('direct:alice,bob', 'alice');
    expect(t.typingIn('direct:alice,bob')).toEqual(['bob']);
    f.message('direct:alice,bob', 'bob');
    expect(t.typingIn('direct:alice,bob')).toEqual([]);
  });

  it('sends its own typing at most once every 3 s per conversation, and again at once after a send', () => {
    const clock = manualClock();
    const f = fakeApi();
    const t = new TypingState(f.api, 'alice', clock);
    t.typed('channel:lab');
    clock.advance(2999);
    t.typed('channel:lab');
    t.typed('everyone');
    expect(f.sent).toEqual(['channel:lab', 'everyone']);
    clock.advance(1);
    t.typed('channel:lab');
    t.sent('everyone');
    t.typed('everyone');
    expect(f.sent).toEqual(['channel:lab', 'everyone', 'channel:lab', 'everyone']);
  });

  it('says who is typing in words', () => {
    expect(typingInWords([])).toBe('');
    expect(typingInWords(['bob'])).toBe('bob is typing...');
    expect(typingInWords(['bob', 'carol'])).toBe('bob and carol are typing...');
    expect(typingInWords(['a', 'b', 'c'])).toBe('3 people are typing...');
  });
});
