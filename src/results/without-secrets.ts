/**
 * Plain data with its secrets taken out, for what travels in results.json and in logs (a shard's
 * setup() data). Two rules, applied recursively through objects and arrays:
 *
 * - By key. A key is split into words (at `-`, `_`, `.`, spaces and camelCase: `x-api-key`,
 *   `client_secret`, `APIKey`, `dbPassword`). It names a secret when one word is a secret word
 *   (`password`, `pass`, `pin`, `token`, `auth`, `session`, ...), ends with a long one
 *   (`accesstoken`, `dbpassword`), or two words make one (`api key`, `private key`). Whole words
 *   only: `pinned`, `bypass`, `author`, `tokenizer` and `passenger` are not secrets. Any value under
 *   such a key but null or undefined (absence hides nothing) becomes "[redacted]", objects too.
 * - By value shape, inside any string: the password of a URL's userinfo
 *   (`postgres://admin:[redacted]@db/app`), PEM private key blocks, `Bearer` tokens, `Basic`
 *   credentials (base64 of `user:pass`, or the pair itself), JWT-shaped strings (`eyJ...`), and
 *   `key=value` pairs (query strings, libpq DSNs, cookies) and JSON's `"key": value` pairs (a
 *   body quoted in a message) whose key names a secret.
 *
 * Everything else is left exactly as it was.
 */
export const REDACTED = '[redacted]';

/** Words that name a secret on their own. */
const SECRET_WORDS = new Set([
  'password',
  'passwords',
  'passwd',
  'pwd',
  'pass',
  'passphrase',
  'secret',
  'secrets',
  'token',
  'tokens',
  'apikey',
  'auth',
  'authorization',
  'authorisation',
  'cookie',
  'cookies',
  'session',
  'sessionid',
  'pin',
  'otp',
  'jwt',
  'bearer',
  'credential',
  'credentials',
  'privatekey',
]);

/** Endings that make a word a secret when it was written without separators (`accesstoken`). */
const SECRET_ENDINGS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'privatekey'];

/** Words that make a secret with `key` after them (`api key`, `private_key`, `accessKey`). */
const KEY_QUALIFIERS = new Set(['api', 'private', 'access', 'secret', 'signing', 'encryption', 'master']);

/** A key's words, lower case: `x-api-key` and `APIKey` give `api`, `key`. */
export function keyWords(key: string): string[] {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w !== '');
}

export function isSecretKey(key: string): boolean {
  const words = keyWords(key);
  return words.some(
    (word, i) =>
      SECRET_WORDS.has(word) ||
      SECRET_ENDINGS.some((end) => word.length > end.length && word.endsWith(end)) ||
      ((word === 'key' || word === 'keys') && i > 0 && KEY_QUALIFIERS.has(words[i - 1] as string)),
  );
}

const PEM_PRIVATE_KEY = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY[A-Z ]*)-----[\s\S]*?(?:-----END \1-----|$)/g;
/** `scheme://user:password@host`: the password may hold `@` and `:` when not percent-encoded. */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s:/?#@]*):([^\s/?#]*)@/gi;
const BEARER = /\b(bearer)\s+[A-Za-z0-9._~+/-]+=*/gi;
const BASIC = /\b(basic)\s+(\S+)/gi;
const JWT = /\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
const KEY_VALUE = /(^|[\s?&;,])([A-Za-z][\w.-]{0,63})=("[^"]*"|'[^']*'|[^\s&;,]*)/g;
const JSON_PAIR = /("([A-Za-z_][\w.-]{0,63})"\s*:\s*)("(?:[^"\\]|\\.)*"|-?\d[\d.eE+-]*|true|false)/g;

/** A Basic credential: `user:pass` itself, or base64 text that decodes to one. */
function isBasicCredential(text: string): boolean {
  if (text.includes(':')) return true;
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return false;
  const decoded = Buffer.from(text, 'base64').toString('utf8');
  return /^[^\s:]*:[^\n]*$/.test(decoded) && !decoded.includes('\uFFFD');
}

export function redactString(text: string): string {
  return text
    .replace(PEM_PRIVATE_KEY, REDACTED)
    .replace(URL_USERINFO, (_all, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(BEARER, (_all, word: string) => `${word} ${REDACTED}`)
    .replace(BASIC, (all, word: string, credential: string) =>
      isBasicCredential(credential) ? `${word} ${REDACTED}` : all,
    )
    .replace(JWT, REDACTED)
    .replace(KEY_VALUE, (all, before: string, key: string) =>
      isSecretKey(key) ? `${before}${key}=${REDACTED}` : all,
    )
    .replace(JSON_PAIR, (all, before: string, key: string) =>
      isSecretKey(key) ? `${before}"${REDACTED}"` : all,
    );
}

export function withoutSecrets(value: unknown, depth = 0): unknown {
  if (depth > 64) return REDACTED;
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((v) => withoutSecrets(v, depth + 1));
  if (value instanceof Date) return value;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value))
      out[redactString(k)] =
        isSecretKey(k) && v !== null && v !== undefined ? REDACTED : withoutSecrets(v, depth + 1);
    return out;
  }
  return value;
}
