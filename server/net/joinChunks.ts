/** Joining one round's output chunks for a socket, once for all the sockets of a fan-out. */
/**
 * The last chunks joined, and the result: a fan-out hands every socket the same chunks in a
 * round. Holds at most one socket's round of output (under maxQueueBytes) until the next join.
 */
let lastChunks: (Buffer | string)[] = [];
let lastJoined: Buffer = Buffer.alloc(0);

/** The chunks as one buffer, joined once for all the sockets that get the same ones. */
export function joined(chunks: (Buffer | string)[]): Buffer {
  if (chunks.length === lastChunks.length && chunks.every((c, i) => c === lastChunks[i])) return lastJoined;
  lastJoined = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c) : c)));
  lastChunks = chunks;
  return lastJoined;
}
