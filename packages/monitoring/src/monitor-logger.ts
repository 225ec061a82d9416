/** The logging a monitor needs: a pino logger fits (`warn(object, message)`), so does a test spy. */
export interface MonitorLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** A {@link MonitorLogger} that drops everything (the default when none is injected). */
export const silentLogger: MonitorLogger = { warn() {}, info() {} };
