/**
 * Structured logs (pino, JSON lines on stderr). Never pass passwords; fields that could carry a
 * secret are redacted as a second line of defence.
 */
import { pino } from 'pino';

export interface Logger {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

export function createLogger(level: 'info' | 'warn' | 'error' | 'silent' = 'info'): Logger {
  return pino(
    { level, redact: { paths: ['password', 'token', 'hash', '*.password', '*.token'], censor: '[redacted]' } },
    pino.destination(2),
  );
}

export const silentLogger: Logger = createLogger('silent');
