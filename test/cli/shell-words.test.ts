/** Printed commands paste into a POSIX shell as the words they were built from, hostile or not. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { shellCommand, shellWord } from '../../src/cli/shell-words.ts';

/** The words `sh` makes of a command line (its program replaced by printf). */
function wordsOf(line: string): string[] {
  const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

const HOSTILE = [
  'p$(id)x.ts',
  'p`id`x.ts',
  'with space.ts',
  "it's.ts",
  "'",
  "''",
  'two\nlines.ts',
  '$HOME',
  '*',
  '~',
  '-n',
  'a;b|c&d>e<f',
  '"double"',
  '\\',
  '',
  'plain/path-1.0_x.ts',
  'job/loadproof-x',
  '--timeout=-1s',
];

describe('shell words', () => {
  for (const word of HOSTILE)
    it(`${JSON.stringify(word)} reaches the command unchanged`, () => {
      assert.deepEqual(wordsOf(shellWord(word)), [word]);
    });

  it('a whole command keeps every word apart; safe words stay bare', () => {
    assert.deepEqual(wordsOf(shellCommand(HOSTILE)), HOSTILE);
    assert.equal(
      shellCommand(['loadproof', 'merge', 'shards.log', '--plan', 'p$(id)x.ts']),
      "loadproof merge shards.log --plan 'p$(id)x.ts'",
    );
    assert.equal(shellWord("it's"), "'it'\\''s'");
  });
});
