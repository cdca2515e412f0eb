/**
 * The pure half of the wire contract: types, error codes, limits and conversation keys. It uses
 * nothing of Node, so the renderer imports it too; the codec and schemas are in the parent folder.
 */
export * from './types.ts';
export * from './errors.ts';
export * from './limits.ts';
export * from './conversation.ts';
export * from './text.ts';
export * from './snippet.ts';
export * from './files.ts';
export * from './mentions.ts';
