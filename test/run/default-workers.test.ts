/**
 * The default number of worker threads: one per core, less one when the target is on this machine.
 */
import assert from 'node:assert/strict';
import { availableParallelism, networkInterfaces } from 'node:os';
import { describe, it } from 'node:test';
import { defaultWorkers, isLocalTarget } from '../../src/run/workers.ts';

describe('default workers', () => {
  it('knows a target on this machine without DNS', () => {
    for (const t of [
      'http://127.0.0.1:8080',
      'http://127.1.2.3',
      'http://localhost:3000/api',
      'http://LOCALHOST',
      'http://app.localhost',
      'http://[::1]:9000',
      'http://0.0.0.0:80',
      'https://127.0.0.1',
    ])
      assert.equal(isLocalTarget(t), true, t);
    for (const t of ['http://example.com', 'http://128.0.0.1', 'http://localhost.example.com', 'not a url'])
      assert.equal(isLocalTarget(t), false, t);
  });

  it("an address of one of this machine's interfaces is local too", () => {
    const v4 = Object.values(networkInterfaces())
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    if (!v4) return;
    assert.equal(isLocalTarget(`http://${v4.address}:8080`), true);
  });

  it('one per core, less one (at least one) for a local target', () => {
    const cores = availableParallelism();
    assert.equal(defaultWorkers(), cores);
    assert.equal(defaultWorkers('http://example.com'), cores);
    assert.equal(defaultWorkers('http://127.0.0.1:8080'), Math.max(1, cores - 1));
  });
});
