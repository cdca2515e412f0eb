/** The people list as presence changes arrive. */
import type { UserPresence } from '../../../server/protocol/common/types.ts';

/** Updates `people` in place; a guest exists only while connected: gone, the name is free again (the server's rule). */
export function applyPresence(people: UserPresence[], p: UserPresence): void {
  const i = people.findIndex((x) => x.user === p.user);
  if (p.state === 'offline' && (p.guest || people[i]?.guest)) {
    if (i !== -1) people.splice(i, 1);
    return;
  }
  if (i === -1) people.push({ ...p });
  else people[i] = { ...p };
}
