/** The JSON dialect's events as bytes (docs/protocol.md): a message's JSON is made once for every recipient. */
import { encodeJsonLine, messageJson } from '../protocol/index.ts';
import { encodeOnce, type ChatEvent } from '../chat/events.ts';

/** One encoding per event, shared by every JSON session of a fan-out. */
export const encodeEvent = encodeOnce((ev: ChatEvent): Buffer => {
  switch (ev.type) {
    case 'message':
      return Buffer.from(`{"type":"message","message":${messageJson(ev.message)}}\n`);
    case 'presence':
      return Buffer.concat(ev.changes.map((c) => encodeJsonLine({ type: 'presence', ...c })));
    case 'joined':
    case 'left':
    case 'topic':
    case 'mode':
    case 'deleted':
    case 'reaction':
    case 'typing':
      return encodeJsonLine(ev);
    case 'edited':
      return Buffer.from(`{"type":"edited","change":${ev.change},"message":${messageJson(ev.message)}}\n`);
    default: {
      const never: never = ev;
      throw new Error(`unhandled event ${JSON.stringify(never)}`);
    }
  }
});
