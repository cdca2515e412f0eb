/**
 * Seeds a bench server's data folder in a process of its own, so the server starts as an
 * administrator's would: without the seeding's heap and garbage in the idle workload's "before".
 * Arguments: dataDir users historyMessages [search].
 */
import { searchText } from './searchLoad.ts';
import { seedConversation, seedUsers } from './seed.ts';

const [dataDir, users, historyMessages] = [process.argv[2]!, Number(process.argv[3]), Number(process.argv[4])];
await seedUsers(dataDir, Array.from({ length: users }, (_, i) => `b${i}`), 'pw');
if (historyMessages > 0) seedConversation(dataDir, 'b0', 'b1', historyMessages, process.argv.includes('search') ? searchText : undefined);
