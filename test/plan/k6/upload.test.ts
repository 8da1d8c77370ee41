/** k6's http.file: an object body with files goes as multipart/form-data. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type RecordingServer, startRecordingServer } from '../artillery/server.ts';
import { FIXTURES, runK6 } from './harness.ts';

let server: RecordingServer;
before(async () => {
  server = await startRecordingServer();
});
after(() => server.close());

describe('k6 http.file', () => {
  it('sends files and fields as multipart/form-data', async () => {
    const r = await runK6(server, 'upload.js');
    assert.equal(r.code, 0, r.stderr);
    const sent = server.requests.find((q) => q.path === '/upload');
    assert.ok(sent);
    const type = String(sent.headers['content-type']);
    assert.match(type, /^multipart\/form-data; boundary=/);
    // Parsed by Node's own multipart reader: a well-formed body.
    const form = await new Response(sent.body, { headers: { 'content-type': type } }).formData();
    assert.equal(form.get('note'), 'two files');
    const users = form.get('users') as File;
    assert.equal(users.name, 'users.json');
    assert.equal(users.type, 'application/json');
    assert.equal(await users.text(), readFileSync(join(FIXTURES, 'data/users.json'), 'utf8'));
    const bytes = form.get('bytes') as File;
    assert.equal(bytes.name, 'bytes', 'without a file name, the field name');
    assert.equal(bytes.type, 'application/octet-stream');
    assert.equal(await bytes.text(), 'hi');
  });
});
