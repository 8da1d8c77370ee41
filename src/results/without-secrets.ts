/**
 * Plain data with its secrets taken out, for what travels in results.json and in logs (a shard's
 * setup() data): values under keys that name a secret, and strings that look like a bearer token
 * or a JWT, become "[redacted]".
 */
const SECRET_KEY = /token|secret|passw(or)?d|authori[sz]ation|cookie|api[-_]?key|credential|session/i;
const SECRET_VALUE = /^(bearer\s+\S+|eyJ[\w-]+\.[\w-]+\.[\w-]*)$/i;
export const REDACTED = '[redacted]';

export function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > 64) return REDACTED;
  if (typeof value === 'string') return SECRET_VALUE.test(value.trim()) ? REDACTED : value;
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[k] = SECRET_KEY.test(k) && v !== null && v !== undefined ? REDACTED : withoutSecrets(v, depth + 1);
    return out;
  }
  return value;
}
