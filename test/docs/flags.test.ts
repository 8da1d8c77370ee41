/**
 * Docs cannot drift from the CLI: every `loadproof <command> --flag` written in the README or
 * docs/ (inline code, shell blocks, synopses) names a command that exists, and `--help` of that
 * command lists the flag. `npm start -- --flag` is held to the main job's `--help` the same way.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { BIN } from '../helpers/cli.ts';
import {
  everyFlagShown,
  loadproofMentions,
  type Mention,
  npmRunMentions,
  npmStartMentions,
} from './command-mentions.ts';
import { REPO, readerPages } from './markdown.ts';

interface Help {
  commands: string[];
  flags: Set<string>;
}

async function helpOf(args: string[]): Promise<Help> {
  const out = await promisify(execFile)(process.execPath, args, { cwd: REPO, timeout: 120_000 });
  return parseHelp(out.stdout);
}

function parseHelp(text: string): Help {
  const commands: string[] = [];
  const flags = new Set<string>();
  let section = '';
  for (const line of text.split('\n')) {
    const title = /^(\w[\w ]*):/.exec(line);
    if (title) section = title[1] as string;
    const command = /^ {2}([a-z][a-z0-9-]*)\b/.exec(line);
    if (section === 'Commands' && command) commands.push(command[1] as string);
    for (const flag of line.matchAll(/(?:^\s+|, )(--?[a-zA-Z][a-zA-Z0-9-]*)/g)) flags.add(flag[1] as string);
  }
  return { commands, flags };
}

/** Flags the docs show that belong to other programs, or that --help hides on purpose. */
const NOT_LOADPROOFS: Record<string, string> = {
  '--insecure-skip-tls-verify': "k6's flag, beside loadproof's --insecure",
  '--import': "node's (node --import tsx ...)",
  '--strict': "tsc's",
  '--flag': 'a placeholder: `loadproof <command> --flag`',
  '--p95': "compare's older name of --latency, hidden from --help",
};

/** The file an `npm run <script>` runs (a bench group's own file for `npm run bench -- <group>`). */
function scriptFile(script: string, group: string): string {
  const scripts = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).scripts as Record<
    string,
    string
  >;
  const command = scripts[script];
  assert.ok(command, `npm run ${script}: no such script in package.json`);
  const file = command.split(/\s+/).findLast((word) => /\.(ts|mjs|js|sh)$/.test(word)) as string;
  assert.ok(file, `npm run ${script}: no file in "${command}"`);
  return file === 'bench/run.ts' && group !== '' ? `bench/${group}.ts` : file;
}

const helps = new Map<string, Help>();
const pages = readerPages();
let mentions: Mention[] = [];

describe('commands and flags in the docs', () => {
  before(async () => {
    const top = await helpOf([BIN, '--help']);
    helps.set('', top);
    const [mainJob, ...commandHelps] = await Promise.all([
      helpOf(['--import', 'tsx', join(REPO, 'scripts/main-job.ts'), '--help']),
      ...top.commands.map((command) => helpOf([BIN, command, '--help'])),
    ]);
    helps.set('npm start', mainJob as Help);
    const subcommands = new Map<string, string[]>();
    top.commands.forEach((command, i) => {
      const help = commandHelps[i] as Help;
      helps.set(command, help);
      if (help.commands.length > 0) subcommands.set(command, help.commands);
    });
    const nested = [...subcommands].flatMap(([command, subs]) => subs.map((sub) => [command, sub]));
    const nestedHelps = await Promise.all(nested.map((words) => helpOf([BIN, ...words, '--help'])));
    nested.forEach((words, i) => {
      helps.set(words.join(' '), nestedHelps[i] as Help);
    });
    mentions = pages.flatMap((page) => [...loadproofMentions(page, subcommands), ...npmStartMentions(page)]);
  });

  it('reads the commands out of --help, and finds them in the docs', () => {
    for (const command of ['run', 'merge', 'k8s', 'k8s run', 'k8s collect', 'convert', 'report', 'compare'])
      assert.ok(helps.has(command), `loadproof ${command} is not in --help`);
    assert.ok(helps.get('run')?.flags.has('--out'));
    assert.ok(helps.get('run')?.flags.has('-e'), 'short flags are read too');
    const documented = new Set(mentions.map((m) => m.command));
    for (const command of ['run', 'merge', 'k8s', 'k8s run', 'k8s collect', 'convert', 'report', 'compare'])
      assert.ok(documented.has(command), `no page shows loadproof ${command}`);
    assert.ok(mentions.length >= 40, `only ${mentions.length} mentions found: is the reader broken?`);
  });

  it('every loadproof command the docs mention exists', () => {
    const unknown = mentions
      .filter((m) => !helps.has(m.command))
      .map((m) => `${m.page}:${m.line}: loadproof ${m.command} (in "${m.text}")`);
    assert.deepEqual(unknown, []);
  });

  it('every flag the docs give a command is in that command’s --help', () => {
    const missing = mentions.flatMap((m) => {
      const help = helps.get(m.command);
      if (!help) return [];
      return m.flags
        .filter((flag) => !help.flags.has(flag))
        .map((flag) => `${m.page}:${m.line}: ${m.command || 'loadproof'} ${flag} (in "${m.text}")`);
    });
    assert.deepEqual(missing, []);
  });

  it('a flag no command has is caught (the check can fail)', () => {
    const page = {
      path: 'x.md',
      text: 'Run `loadproof run plan.ts --no-such-flag` and `npx loadproof nope`.\n',
    };
    const subcommands = new Map([['k8s', ['run', 'collect']]]);
    const found = loadproofMentions(page, subcommands);
    assert.deepEqual(
      found.map((m) => [m.command, m.flags]),
      [
        ['run', ['--no-such-flag']],
        ['nope', []],
      ],
    );
    assert.equal(helps.get('run')?.flags.has('--no-such-flag'), false);
    assert.equal(helps.has('nope'), false);
  });

  it('reads synopses, subcommands and stops at the next command', () => {
    const page = {
      path: 'x.md',
      text: [
        '```',
        'loadproof run <plan> [--out DIR] [--workers N]',
        '              [--prometheus HOST:PORT] [--quiet]',
        'loadproof k8s run plan.ts --shards 2 --image I | grep x --not-ours',
        'T=1 && npx loadproof merge a.json -o out # --not-ours-either',
        '```',
        '',
      ].join('\n'),
    };
    const found = loadproofMentions(page, new Map([['k8s', ['run', 'collect']]]));
    assert.deepEqual(
      found.map((m) => [m.command, m.flags]),
      [
        ['run', ['--out', '--workers', '--prometheus', '--quiet']],
        ['k8s run', ['--shards', '--image']],
        ['merge', ['-o']],
      ],
    );
  });

  it('every flag given to an npm script of this repository is one that script reads', () => {
    const found = pages.flatMap((page) => npmRunMentions(page));
    assert.ok(
      found.some((m) => m.script === 'bench' && m.flags.length > 0),
      'the benches show their flags',
    );
    const missing = found.flatMap((m) => {
      const file = scriptFile(m.script, m.group);
      const source = readFileSync(join(REPO, file), 'utf8');
      return m.flags
        .filter((flag) => {
          const name = flag.slice(2);
          return (
            !source.includes(flag) &&
            !source.includes(`'${name}'`) &&
            !new RegExp(`\\b${name}\\s*:`).test(source)
          );
        })
        .map((flag) => `${m.page}:${m.line}: npm run ${m.script} -- ${m.group} ${flag}: not in ${file}`);
    });
    assert.deepEqual(missing, []);
  });

  it('every flag shown anywhere in the docs belongs to a command that has it', () => {
    const known = new Set([...helps.values()].flatMap((help) => [...help.flags]));
    const scriptFlags = new Set(pages.flatMap((page) => npmRunMentions(page).flatMap((m) => m.flags)));
    const unknown = pages
      .flatMap((page) => everyFlagShown(page))
      .filter((f) => !known.has(f.text) && !scriptFlags.has(f.text) && !(f.text in NOT_LOADPROOFS))
      .map((f) => `${f.page}:${f.line}: ${f.text}`);
    assert.deepEqual(unknown, []);
  });
});
