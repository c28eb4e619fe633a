/** Structured logs: one JSON object per line on stdout, easy to ship to any collector. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export function jsonLogger(
  minLevel: LogLevel | 'silent' = 'info',
  write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Logger {
  return {
    log(level, msg, fields) {
      if (minLevel === 'silent' || ORDER[level] < ORDER[minLevel]) return;
      write(JSON.stringify({ ts: new Date().toISOString(), level, msg, ...fields }));
    },
  };
}

export function errorFields(err: unknown): LogFields {
  if (err instanceof Error) return { error: err.message, errorName: err.name };
  return { error: String(err) };
}
