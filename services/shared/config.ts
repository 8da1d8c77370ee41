/**
 * A service's start-up settings from its environment. A bad value stops the service before it
 * starts anything: a message naming the variable on stderr, exit 2.
 */
export interface StartupConfig {
  /** Writes `<service>: message` to stderr and exits with 2. */
  fatal(message: string): never;
  /** `name` as a positive integer, `fallback` when it is not set. */
  positiveInt(name: string, fallback: number): number;
  /** PORT, `fallback` when it is not set. */
  port(fallback: number): number;
}

export function startupConfig(service: string): StartupConfig {
  const fatal = (message: string): never => {
    process.stderr.write(`${service}: ${message}\n`);
    process.exit(2);
  };
  return {
    fatal,
    positiveInt(name, fallback) {
      const raw = process.env[name];
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isInteger(n) || n < 1)
        fatal(`${name}: expected a positive integer, got "${raw}"`);
      return n;
    },
    port(fallback) {
      const port = Number(process.env.PORT ?? fallback);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        fatal(`PORT: expected a port number, got "${process.env.PORT}"`);
      return port;
    },
  };
}
