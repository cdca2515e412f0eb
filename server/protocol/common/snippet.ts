/**
 * A search snippet on the wire is plain text with each matched term between HIT_START and
 * HIT_END (control characters, which the search tokenizer never keeps as part of a word).
 * Readers split it into segments and show the hits their own way: the app as text nodes in a
 * <mark>, never as HTML; the text dialect between asterisks.
 */
export const HIT_START = '\u0002';
export const HIT_END = '\u0003';

export interface SnippetSegment {
  text: string;
  hit: boolean;
}

/** The snippet as text segments, hits marked; stray markers are dropped, never shown. */
export function snippetSegments(snippet: string): SnippetSegment[] {
  const segments: SnippetSegment[] = [];
  let hit = false;
  for (const part of snippet.split(/([\u0002\u0003])/)) {
    if (part === HIT_START) hit = true;
    else if (part === HIT_END) hit = false;
    else if (part !== '') segments.push({ text: part, hit });
  }
  return segments;
}
