import { ConfigError } from '../errors';

/**
 * Reads typed settings from an environment map. Every getter validates and throws a ConfigError naming
 * the variable, so a service's configuration is validated once, at start-up, in one place.
 */
export class EnvReader {
  constructor(private readonly env: Record<string, string | undefined> = process.env) {}

  /** Whether the variable has a value (an empty string counts as unset, as in the getters). */
  isSet(name: string): boolean {
    const value = this.env[name];
    return value !== undefined && value !== '';
  }

  string(name: string, fallback?: string): string {
    const value = this.env[name] ?? fallback;
    if (value === undefined || value === '') throw new ConfigError(name, 'is required but not set');
    return value;
  }

  integer(
    name: string,
    fallback: number,
    { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {},
  ): number {
    const raw = this.env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value)) throw new ConfigError(name, `expected an integer, got "${raw}"`);
    if (value < min || value > max) throw new ConfigError(name, `expected ${min}..${max}, got ${value}`);
    return value;
  }

  url(name: string, fallback: string, protocols: readonly string[]): string {
    const value = this.string(name, fallback);
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      throw new ConfigError(name, `expected a URL like ${fallback}, got "${value}"`);
    }
    if (!protocols.includes(parsed.protocol)) {
      throw new ConfigError(name, `expected a ${protocols.join(' or ')} URL, got "${value}"`);
    }
    return value;
  }

  /** Comma-separated host:port list, e.g. KAFKA_BROKERS=127.0.0.1:9092,127.0.0.1:9094 */
  hostPorts(name: string, fallback: string): string[] {
    const list = this.string(name, fallback)
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean);
    for (const entry of list) {
      if (!/^[^\s:]+:\d{1,5}$/.test(entry)) throw new ConfigError(name, `expected host:port, got "${entry}"`);
    }
    if (list.length === 0) throw new ConfigError(name, 'expected at least one host:port');
    return list;
  }
}
