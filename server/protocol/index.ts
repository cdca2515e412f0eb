/** The wire contract: everyone (server, main/core, the terminal client) imports it from here. */
export * from './types.ts';
export * from './errors.ts';
export * from './limits.ts';
export * from './conversation.ts';
export * from './lineCodec.ts';
export { requestSchema, REQUEST_TYPES } from './schema.ts';
