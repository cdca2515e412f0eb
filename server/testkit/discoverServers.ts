/**
 * Prints each change of the `_parley._tcp` list as one JSON line, for tests that browse from
 * another network namespace (run it with tsx; PARLEY_MDNS_INTERFACE picks the interface).
 */
import { browse } from '../net/announce.ts';

const browsing = browse((servers) => process.stdout.write(`${JSON.stringify(servers)}\n`));
const stop = (): void => {
  browsing.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
