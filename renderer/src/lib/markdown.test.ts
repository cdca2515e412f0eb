// @vitest-environment jsdom
import { render } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import RichText from '../components/RichText.svelte';
import { isSafeHref, parseRich, richText } from './markdown.ts';

/** Renders a message as the conversation does and returns its element. */
function shown(text: string, opened: string[] = []): HTMLElement {
  const { container } = render(RichText, { text, me: 'alice', onopenlink: (url: string) => opened.push(url) });
  return container;
}

/** Every element, attribute or URL in `root` that a browser could run or load. */
function runnable(root: HTMLElement): string[] {
  const found: string[] = [];
  const allowed = new Set(['DIV', 'P', 'STRONG', 'EM', 'S', 'CODE', 'PRE', 'BLOCKQUOTE', 'UL', 'OL', 'LI', 'BR', 'A', 'SPAN']);
  for (const el of root.querySelectorAll('*')) {
    if (!allowed.has(el.tagName)) found.push(`element ${el.tagName}`);
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name) || ['src', 'srcdoc', 'style', 'action', 'formaction', 'xlink:href'].includes(attr.name.toLowerCase())) found.push(`attribute ${attr.name}`);
      if (attr.name === 'href' && !/^https?:\/\//i.test(attr.value)) found.push(`href ${attr.value}`);
    }
  }
  return found;
}

const PAYLOADS = [
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<svg onload=alert(1)>',
  '<a href="javascript:alert(1)">x</a>',
  '[x](javascript:alert(1))',
  '[x](JaVaScRiPt:alert(1))',
  '[x](  javascript:alert(1)  )',
  '[x](java\tscript:alert(1))',
  '[x](&#106;avascript:alert(1))',
  '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
  '![x](data:image/svg+xml,<svg onload=alert(1)>)',
  '![x](https://example.org/track.png)',
  '[x](vbscript:msgbox(1))',
  '[x](file:///etc/passwd)',
  '<iframe src="https://example.org"></iframe>',
  '**<b onmouseover=alert(1)>bold</b>**',
  '[<img src=x onerror=alert(1)>](https://example.org)',
  '[x](https://example.org "title onmouseover=alert(1)")',
  '[x](https://example.org" onclick="alert(1))',
  '<<script>script>alert(1)<</script>/script>',
  '```html\n<script>alert(1)</script>\n```',
  '> <style>body{display:none}</style>',
  '- <form action=https://evil><button>x</button></form>',
  '[a][ref]\n\n[ref]: javascript:alert(1)',
  'javascript:alert(1)',
  '<details open ontoggle=alert(1)>',
  '`<img src=x onerror=alert(1)>`',
  '@alice <img src=x onerror=alert(1)>',
];

describe('message formatting', () => {
  it('renders bold, italic, strikethrough, inline code, code blocks, quotes, lists and links', () => {
    const el = shown('**bold** *italic* ~~gone~~ `code`\n\n```\nconst a = 1;\n```\n\n> quoted\n\n- one\n- two\n\n1. first\n\n[site](https://example.org)');
    expect(el.querySelector('strong')?.textContent).toBe('bold');
    expect(el.querySelector('em')?.textContent).toBe('italic');
    expect(el.querySelector('s')?.textContent).toBe('gone');
    expect(el.querySelector('p > code')?.textContent).toBe('code');
    expect(el.querySelector('pre > code')?.textContent).toBe('const a = 1;');
    expect(el.querySelector('blockquote')?.textContent?.trim()).toBe('quoted');
    expect([...el.querySelectorAll('ul > li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect(el.querySelector('ol > li')?.textContent).toBe('first');
    expect(el.querySelector('a')?.getAttribute('href')).toBe('https://example.org');
  });

  it('opens a link through the app\'s call, never by navigating', () => {
    const opened: string[] = [];
    const el = shown('see https://example.org/x', opened);
    const a = el.querySelector('a')!;
    const click = new MouseEvent('click', { bubbles: true, cancelable: true });
    a.dispatchEvent(click);
    expect(click.defaultPrevented).toBe(true);
    expect(opened).toEqual(['https://example.org/x']);
  });

  it('marks mentions, the user\'s own apart, and not inside code', () => {
    const el = shown('@alice and @bob, not `@alice` nor alice@example.org');
    expect([...el.querySelectorAll('.mention')].map((m) => [m.textContent, m.classList.contains('me')])).toEqual([['@alice', true], ['@bob', false]]);
  });

  it.each(PAYLOADS)('leaves nothing that could run in %j', (payload) => {
    const el = shown(payload);
    expect(runnable(el)).toEqual([]);
    // Raw HTML stays visible as the text it is.
    if (payload.startsWith('<script>')) expect(el.textContent).toContain('<script>alert(1)</script>');
  });

  it('accepts only http and https link targets', () => {
    expect(['https://a.b', 'http://a.b/c?d'].every(isSafeHref)).toBe(true);
    expect(['javascript:alert(1)', 'data:text/html,x', 'file:///x', '//evil.org', 'mailto:a@b.c', ' https://a b'].some(isSafeHref)).toBe(false);
  });

  it('parses a message once however often it is shown', () => {
    expect(richText('**cached**', 'alice')).toBe(richText('**cached**', 'alice'));
  });
});

describe('the plain-text shortcut', () => {
  it('gives exactly what the parser gives', () => {
    const texts = ['long message 5', 'hello there, how are you?', "it's fine (really", '  padded  ', '1) one', '    indented code', 'see example.org', 'a - b', 'x_y_', '# title', 'a\nb', '@bob hi'];
    for (const text of texts) expect(richText(text, 'alice')).toEqual(parseRich(text, 'alice'));
  });
});
