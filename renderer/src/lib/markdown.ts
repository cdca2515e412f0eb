/**
 * Message formatting: a safe Markdown subset (bold, italic, strikethrough, inline code, code
 * blocks, quotes, lists, links) parsed by markdown-it with raw HTML off, and turned into a tree
 * of plain nodes that RichText.svelte renders with Svelte's own elements. No HTML string is ever
 * built or parsed, so nothing in a message can become markup: the tree holds only the tags
 * below, text, and http(s) link targets. `@name` mentions are marked in text (never in code).
 * Trees are cached per message text, so a virtualised list that remounts rows while scrolling
 * parses each message once.
 */
import markdownIt, { type Token } from 'markdown-it';
import { mentionSpans } from '../../../server/protocol/common/mentions.ts';

export type RichTag = 'p' | 'strong' | 'em' | 's' | 'code' | 'pre' | 'blockquote' | 'ul' | 'ol' | 'li' | 'br' | 'a';

export type RichNode =
  | { text: string; mention?: 'me' | 'other' }
  | { tag: Exclude<RichTag, 'a'>; children: RichNode[] }
  /** `href` is always http: or https: (see isSafeHref). */
  | { tag: 'a'; href: string; children: RichNode[] };

const md = markdownIt('default', { html: false, linkify: true, typographer: false, breaks: true });
// Chat, not documents: no headings, rules, tables or images (an image would load from anywhere).
md.disable(['heading', 'lheading', 'hr', 'table', 'image', 'reference', 'html_block', 'html_inline']);
md.validateLink = isSafeHref;

/** Only web links: they open through the app's checked external-link call, nothing else does. */
export function isSafeHref(url: string): boolean {
  return /^https?:\/\/[^\s]+$/i.test(url.trim());
}

const CONTAINERS: Record<string, Exclude<RichTag, 'a' | 'br' | 'code' | 'pre'>> = {
  paragraph_open: 'p',
  strong_open: 'strong',
  em_open: 'em',
  s_open: 's',
  blockquote_open: 'blockquote',
  bullet_list_open: 'ul',
  ordered_list_open: 'ol',
  list_item_open: 'li',
};

/** Text with its `@name` mentions marked. */
function textNodes(text: string, me: string): RichNode[] {
  const spans = mentionSpans(text);
  if (spans.length === 0) return [{ text }];
  const out: RichNode[] = [];
  let at = 0;
  const mine = me.toLowerCase();
  for (const s of spans) {
    if (s.start > at) out.push({ text: text.slice(at, s.start) });
    out.push({ text: text.slice(s.start, s.end), mention: s.name.toLowerCase() === mine ? 'me' : 'other' });
    at = s.end;
  }
  if (at < text.length) out.push({ text: text.slice(at) });
  return out;
}

function toTree(tokens: readonly Token[], me: string): RichNode[] {
  const root: RichNode[] = [];
  // One entry per open token: the children list it fills, or null for a hidden wrapper (tight lists' paragraphs).
  const stack: (RichNode[] | null)[] = [];
  const target = (): RichNode[] => {
    for (let i = stack.length - 1; i >= 0; i--) if (stack[i]) return stack[i]!;
    return root;
  };
  for (const t of tokens) {
    if (t.nesting === 1) {
      const href = t.type === 'link_open' ? String(t.attrGet('href') ?? '') : '';
      const tag = href && isSafeHref(href) ? 'a' : CONTAINERS[t.type];
      // Unknown, hidden, or a link that is no web link (validateLink already refuses those): its text stays.
      if (!tag || t.hidden) {
        stack.push(null);
        continue;
      }
      const children: RichNode[] = [];
      target().push(tag === 'a' ? { tag, href, children } : { tag, children });
      stack.push(children);
    } else if (t.nesting === -1) stack.pop();
    else if (t.type === 'inline') target().push(...toTree(t.children ?? [], me));
    else if (t.type === 'text') target().push(...textNodes(t.content, me));
    else if (t.type === 'code_inline') target().push({ tag: 'code', children: [{ text: t.content }] });
    else if (t.type === 'fence' || t.type === 'code_block') target().push({ tag: 'pre', children: [{ tag: 'code', children: [{ text: t.content.replace(/\n$/, '') }] }] });
    else if (t.type === 'softbreak' || t.type === 'hardbreak') target().push({ tag: 'br', children: [] });
    else if (t.content) target().push({ text: t.content }); // anything else stays its plain text
  }
  return root;
}

/**
 * Text that markdown-it would turn into one plain paragraph (no syntax character, no link-like
 * `.` or `:`, no indented code): most chat lines. They skip the parser, as its output would be
 * the same.
 */
const PLAIN = /^(?! {4}|\t)[^*_~`>[\]<&@:.\\\n\r!|#=+)-]*$/;

const CACHE_MAX = 5000;
const cache = new Map<string, RichNode[]>();

/** The formatted tree straight from the parser, uncached (richText is the one to use). */
export function parseRich(text: string, me: string): RichNode[] {
  return toTree(md.parse(text, {}), me);
}

/** The message's formatted tree for the user `me` (whose mentions are marked `me`); cached. */
export function richText(text: string, me: string): RichNode[] {
  const key = `${me}\n${text}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const tree: RichNode[] = PLAIN.test(text) ? [{ tag: 'p', children: [{ text: text.trim() }] }] : parseRich(text, me);
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, tree);
  return tree;
}
