import { pino, type Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Fields that could carry secrets or personal data are redacted even
 * if a caller passes them by mistake: logs carry ids, never tokens or addresses.
 */
export function createLogger(name: string, level = 'info'): Logger {
  return pino({
    name,
    level,
    redact: {
      paths: [
        'email',
        '*.email',
        'token',
        '*.token',
        'secret',
        '*.secret',
        'authorization',
        '*.authorization',
      ],
      censor: '[redacted]',
    },
  });
}
