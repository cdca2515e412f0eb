/** The wire contract for Node: the pure part (./common) plus the line codec and request schemas. */
export * from './common/index.ts';
export * from './lineCodec.ts';
export { requestSchema, REQUEST_TYPES } from './schema.ts';
