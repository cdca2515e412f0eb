import { describe, expect, it } from 'vitest';
import { hasControlCharacters, sanitizeForTerminal } from './textFormat.ts';

describe('sanitizeForTerminal', () => {
  it('indents continuation lines so a message cannot start a forged line', () => {
    expect(sanitizeForTerminal('hi\nbob: fake\r\nmore')).toBe('hi\n    bob: fake\n    more');
  });

  it('shows control characters, escape sequences and bidi overrides escaped', () => {
    expect(sanitizeForTerminal('\u001b[2J\u0000\u0007x\r')).toBe('\\x1b[2J\\x00\\x07x\\x0d');
    expect(sanitizeForTerminal('a\u202eb\u0085')).toBe('a\\u{202e}b\\x85');
  });

  it('keeps ordinary text, tabs and emoji intact', () => {
    expect(sanitizeForTerminal('tab\there 👋 café')).toBe('tab\there 👋 café');
  });
});

describe('hasControlCharacters', () => {
  it('accepts tabs and refuses other control characters', () => {
    expect(hasControlCharacters('send bob\thi')).toBe(false);
    expect(hasControlCharacters('who\u001b')).toBe(true);
  });
});
