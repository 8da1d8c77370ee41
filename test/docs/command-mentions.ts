/**
 * The commands and flags a page mentions: `loadproof <command> ... --flag` in inline code or in a
 * shell block (a synopsis's continuation lines included), and `npm start -- --flag`. What follows
 * a pipe, `;`, `&&`, `&`, a redirection or a `#` comment belongs to another command.
 */
import { inlineCode, type Located, type Page, splitFences } from './markdown.ts';

export interface Mention {
  page: string;
  line: number;
  /** `run`, `k8s run`, ...; empty for `loadproof --version`. */
  command: string;
  flags: string[];
  /** The text the mention was read from, for the failure message. */
  text: string;
}

const SHELL_INFO = /^(sh|bash|shell|console|text)?(\s|$)/;
/** A word that ends a command: a pipe, `;`, `&&`, `&`, a redirection, a comment, a subshell. */
const COMMAND_END = /^\s(\||;|&&|&|>|2>|#|\(\S*|\S*\)|\S*\$\(\S*)\s$/;
const FLAG = /(?:^|[\s[(|])(--?[a-zA-Z][a-zA-Z0-9-]*)(?=[\s\]=)|,]|$)/g;

/** Every `loadproof` command mentioned on a page, with the flags written after it. */
export function loadproofMentions(page: Page, subcommands: Map<string, string[]>): Mention[] {
  return commandTexts(page).flatMap((located) =>
    [...located.text.matchAll(/(?:^|[\s$(;&|])(?:npx\s+)?loadproof(?=\s|$)/g)].flatMap((m) => {
      const words = ownPart(located.text.slice(m.index + m[0].length))
        .trim()
        .split(/\s+/);
      const first = words[0] ?? '';
      if (first === '' || first.startsWith('-')) return [mention(located, '', words.join(' '))];
      if (!/^[a-z][a-z0-9-]*$/.test(first)) return [];
      const second = words[1] ?? '';
      const command = subcommands.get(first)?.includes(second) ? `${first} ${second}` : first;
      return [mention(located, command, words.slice(command.split(' ').length).join(' '))];
    }),
  );
}

/** Flags of `npm start -- ...` mentions: the main job's own flags. */
export function npmStartMentions(page: Page): Mention[] {
  return commandTexts(page).flatMap((located) =>
    [...located.text.matchAll(/npm start -- (.*)/g)].map((m) =>
      mention(located, 'npm start', m[1] as string),
    ),
  );
}

function mention(located: Located, command: string, rest: string): Mention {
  const flags = [...ownPart(rest).matchAll(FLAG)].map((f) => f[1] as string);
  return { page: located.page, line: located.line, command, flags, text: located.text };
}

/** The words up to where another command starts; a `|` inside a synopsis's `[...]` is a choice. */
function ownPart(rest: string): string {
  let depth = 0;
  let own = ' ';
  for (const word of rest.split(/(\s+)/)) {
    if (depth === 0 && COMMAND_END.test(` ${word} `)) break;
    for (const c of word) depth = Math.max(0, depth + (c === '[' ? 1 : c === ']' ? -1 : 0));
    own += word;
  }
  return own;
}

/** Inline code of the prose, and the logical lines of shell-like fenced blocks. */
function commandTexts(page: Page): Located[] {
  const { blocks, prose } = splitFences(page);
  const texts = inlineCode(page.path, prose);
  for (const block of blocks) {
    if (!SHELL_INFO.test(block.info)) continue;
    let current: Located | undefined;
    block.text.split('\n').forEach((line, i) => {
      const continues = current !== undefined && (current.text.endsWith('\\') || /^\s+[[-]/.test(line));
      if (continues && current) current.text = `${current.text.replace(/\\$/, '')} ${line.trim()}`;
      else {
        current = { page: page.path, line: block.line + 1 + i, text: line };
        texts.push(current);
      }
    });
  }
  return texts;
}

/** `npm run <script> -- [group] --flag ...`: flags of the repository's own scripts and benches. */
export interface ScriptMention {
  page: string;
  line: number;
  script: string;
  /** The first word after `--` when it is not a flag: a bench's group. */
  group: string;
  flags: string[];
}

export function npmRunMentions(page: Page): ScriptMention[] {
  return commandTexts(page).flatMap((located) =>
    [...located.text.matchAll(/npm run ([\w:-]+) -- (.*)/g)].map((m) => {
      const rest = ownPart(m[2] as string).trim();
      const first = rest.split(/\s+/)[0] ?? '';
      return {
        page: located.page,
        line: located.line,
        script: m[1] as string,
        group: first.startsWith('-') || first.startsWith('[') || first.startsWith('<') ? '' : first,
        flags: [...rest.matchAll(FLAG)].map((f) => f[1] as string).filter((f) => f.startsWith('--')),
      };
    }),
  );
}

/** Every long flag a page shows in code, whoever it belongs to. */
export function everyFlagShown(page: Page): Located[] {
  return commandTexts(page).flatMap((located) =>
    [...located.text.matchAll(/(?:^|[\s[(|])(--[a-zA-Z][a-zA-Z0-9-]*)/g)].map((f) => ({
      ...located,
      text: f[1] as string,
    })),
  );
}
