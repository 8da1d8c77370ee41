/**
 * A command line a person can paste into a POSIX shell and get exactly the words it was built
 * from: a word of only safe characters stays bare, any other is single-quoted, with a `'` in it
 * written `'\''` (no expansion happens inside single quotes: `$(id)`, spaces, newlines and `*`
 * reach the command as they are).
 */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

export function shellWord(word: string): string {
  if (SAFE_WORD.test(word)) return word;
  return `'${word.replaceAll("'", "'\\''")}'`;
}

export function shellCommand(words: readonly string[]): string {
  return words.map(shellWord).join(' ');
}
