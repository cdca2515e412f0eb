/** The server library's public surface. */
export { startServer, openUserAdmin, SERVER_NAME, type ParleyServer, type ParleyServerOptions } from './parleyServer.ts';
export { UserAdmin } from './userAdmin.ts';
export { DEFAULT_SCRYPT, type ScryptParams } from './auth/passwords.ts';
export { createLogger, silentLogger, type Logger } from './log.ts';
