import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * Paths that may hold credentials anywhere in a logged object. Belt and braces: code
 * must not log them in the first place.
 */
const redactPaths = [
  'config',
  '*.config',
  'token',
  '*.token',
  'secretId',
  '*.secretId',
  'jwt',
  '*.jwt',
  'req.headers.authorization',
  'req.headers["x-vault-token"]',
  'headers.authorization',
];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  const options: LoggerOptions = { level, redact: { paths: redactPaths, censor: '[redacted]' } };
  return destination ? pino(options, destination as pino.DestinationStream) : pino(options);
}
