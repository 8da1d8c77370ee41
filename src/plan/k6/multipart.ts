/**
 * k6's `http.file(data, filename, contentType)` and the bodies it makes: an object body with a
 * file among its values is sent as multipart/form-data (each file a part with its file name and
 * content type, the other values plain fields), as k6 sends it.
 */
import { randomBytes } from 'node:crypto';

export class FileData {
  readonly data: string | ArrayBuffer | Uint8Array;
  readonly filename: string | undefined;
  readonly content_type: string;

  constructor(data: unknown, filename?: unknown, contentType?: unknown) {
    if (Array.isArray(data)) this.data = Uint8Array.from(data as number[]);
    else if (typeof data === 'string' || data instanceof ArrayBuffer || data instanceof Uint8Array)
      this.data = data;
    else throw new TypeError(`http.file: data must be a string, an ArrayBuffer or bytes, got ${typeof data}`);
    this.filename = filename === undefined || filename === null ? undefined : String(filename);
    this.content_type =
      contentType === undefined || contentType === null ? 'application/octet-stream' : String(contentType);
  }
}

const bytesOf = (d: FileData['data']): Buffer =>
  typeof d === 'string' ? Buffer.from(d, 'utf8') : d instanceof ArrayBuffer ? Buffer.from(d) : Buffer.from(d);

/** True when the object body holds a file, so that it goes as multipart/form-data. */
export function hasFile(body: Record<string, unknown>): boolean {
  return Object.values(body).some((v) => v instanceof FileData);
}

const quoted = (s: string) => s.replace(/["\\\r\n]/g, (c) => (c === '"' ? '%22' : c === '\\' ? '\\\\' : ' '));

/** The multipart body and its content type. */
export function multipartOf(body: Record<string, unknown>): { body: Uint8Array; contentType: string } {
  const boundary = randomBytes(30).toString('hex');
  const parts: Buffer[] = [];
  for (const [name, v] of Object.entries(body)) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${quoted(name)}"`;
    let content: Buffer;
    if (v instanceof FileData) {
      head += `; filename="${quoted(v.filename ?? name)}"\r\nContent-Type: ${v.content_type}`;
      content = bytesOf(v.data);
    } else content = Buffer.from(String(v), 'utf8');
    parts.push(Buffer.from(`${head}\r\n\r\n`, 'utf8'), content, Buffer.from('\r\n', 'utf8'));
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`, 'utf8'));
  return {
    body: new Uint8Array(Buffer.concat(parts)),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}
