import { describe, expect, it } from 'vitest';
import { ircLine, ircText, parseIrc, splitText, tooLong } from './ircMessage.ts';

describe('parseIrc', () => {
  it('reads tags, prefix, command and parameters with a trailing one', () => {
    expect(parseIrc('@time=2026-01-01T00:00:00Z;a=b\\sc;flag :nick!u@h privmsg #lab :hello  there')).toEqual({
      tags: new Map([['time', '2026-01-01T00:00:00Z'], ['a', 'b c'], ['flag', '']]),
      prefix: 'nick!u@h',
      command: 'PRIVMSG',
      params: ['#lab', 'hello  there'],
    });
    expect(parseIrc('NICK   alice')).toMatchObject({ command: 'NICK', params: ['alice'] });
    expect(parseIrc('USER u 0 * :')).toMatchObject({ params: ['u', '0', '*', ''] });
    expect(parseIrc('PING :a:b')).toMatchObject({ params: ['a:b'] });
  });

  it('refuses empty and malformed lines', () => {
    for (const bad of ['', '   ', '@tags-only', ':prefix-only']) expect(parseIrc(bad)).toBeNull();
  });
});

describe('ircLine and ircText', () => {
  it('add the colon to a last parameter only when it needs one, or always for text', () => {
    expect(ircLine('s', 'JOIN', '#lab')).toBe(':s JOIN #lab\r\n');
    expect(ircLine(null, 'PART', '#lab', 'bye now')).toBe('PART #lab :bye now\r\n');
    expect(ircLine(null, 'TOPIC', '#lab', '')).toBe('TOPIC #lab :\r\n');
    expect(ircLine(null, 'X', ':x')).toBe('X ::x\r\n');
    expect(ircText('s', '001', 'nick', 'Welcome')).toBe(':s 001 nick :Welcome\r\n');
  });
});

describe('splitText', () => {
  it('splits lines and long texts by bytes without cutting a UTF-8 character', () => {
    expect(splitText('one\ntwo\r\nthree', 100)).toEqual(['one', 'two', 'three']);
    const pieces = splitText('a'.repeat(9) + '😃'.repeat(3), 10);
    expect(pieces).toEqual(['aaaaaaaaa', '😃😃', '😃']);
    for (const p of pieces) expect(Buffer.byteLength(p)).toBeLessThanOrEqual(10);
    expect(splitText('\n\n', 10)).toEqual([' ']);
  });
});

describe('tooLong', () => {
  it('allows 510 bytes besides the CRLF, counted in UTF-8, and 4094 bytes of tags besides', () => {
    expect(tooLong(`PING ${'x'.repeat(505)}`)).toBe(false);
    expect(tooLong(`PING ${'x'.repeat(506)}`)).toBe(true);
    expect(tooLong(`PRIVMSG #a :${'é'.repeat(249)}`)).toBe(false); // 510 bytes
    expect(tooLong(`PRIVMSG #a :${'é'.repeat(250)}`)).toBe(true);
    expect(tooLong(`@${'t'.repeat(4094)} PING ${'x'.repeat(505)}`)).toBe(false);
    expect(tooLong(`@${'t'.repeat(4095)} PING x`)).toBe(true);
    expect(tooLong(`@${'t'.repeat(4094)} PING ${'x'.repeat(506)}`)).toBe(true);
    expect(tooLong(`@${'t'.repeat(600)}`)).toBe(true);
  });
});
