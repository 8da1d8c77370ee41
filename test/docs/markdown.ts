/**
 * Just enough Markdown for the docs tests: the pages people read (README, docs/), their fenced
 * blocks with info strings, their inline code, their relative links and their headings' anchors
 * as GitHub makes them. Line numbers are kept, so a failure names the page and the line.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

export const REPO = new URL('../../', import.meta.url).pathname;

export interface Page {
  /** Path from the repository's root, as a failure names it. */
  path: string;
  text: string;
}

export interface FencedBlock {
  page: string;
  /** Line of the opening fence, from 1. */
  line: number;
  /** The info string after the fence: `sh runnable exit=3`. */
  info: string;
  text: string;
}

export interface Located {
  page: string;
  line: number;
  text: string;
}

/** The README and every Markdown page under docs/, in a stable order. */
export function readerPages(): Page[] {
  const docs = join(REPO, 'docs');
  const paths = ['README.md', ...markdownUnder(docs).map((p) => relative(REPO, p))];
  return paths.map((path) => ({ path, text: readFileSync(join(REPO, path), 'utf8') }));
}

/** The contributor pages, whose links are followed too. */
export function contributorPages(): Page[] {
  return ['ARCHITECTURE.md', 'DEVELOPERS.md']
    .filter((path) => existsSync(join(REPO, path)))
    .map((path) => ({ path, text: readFileSync(join(REPO, path), 'utf8') }));
}

function markdownUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return markdownUnder(path);
      return entry.name.endsWith('.md') ? [path] : [];
    });
}

const FENCE = /^ {0,3}(`{3,}|~{3,})(.*)$/;

/** Fenced blocks, and the page with each block's lines blanked out (so prose keeps its lines). */
export function splitFences(page: Page): { blocks: FencedBlock[]; prose: string } {
  const lines = page.text.split('\n');
  const blocks: FencedBlock[] = [];
  const prose: string[] = [];
  let open: { fence: string; line: number; info: string; body: string[] } | undefined;
  lines.forEach((line, i) => {
    const fence = FENCE.exec(line);
    if (open === undefined) {
      if (fence) {
        open = { fence: fence[1] as string, line: i + 1, info: (fence[2] as string).trim(), body: [] };
        prose.push('');
      } else prose.push(line);
      return;
    }
    prose.push('');
    if (fence && (fence[1] as string).startsWith(open.fence) && (fence[2] as string).trim() === '') {
      blocks.push({ page: page.path, line: open.line, info: open.info, text: open.body.join('\n') });
      open = undefined;
    } else open.body.push(line);
  });
  if (open !== undefined) throw new Error(`${page.path}:${open.line}: a fenced block that never closes`);
  return { blocks, prose: prose.join('\n') };
}

/** Inline code spans of the prose (they may run over a line break, not over a blank line). */
export function inlineCode(page: string, prose: string): Located[] {
  const spans: Located[] = [];
  for (const m of prose.matchAll(/(?<!`)(`+)(?!`)((?:(?!\n\s*\n)[\s\S])+?)(?<!`)\1(?!`)/g)) {
    spans.push({ page, line: lineAt(prose, m.index), text: (m[2] as string).replace(/\s+/g, ' ').trim() });
  }
  return spans;
}

/** Link targets of the prose (links and images), code spans left out. */
export function links(page: string, prose: string): Located[] {
  const withoutCode = prose.replace(/(`+)[^`]+?\1/g, (code) => code.replace(/[^\n]/g, ' '));
  const found: Located[] = [];
  for (const m of withoutCode.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
    found.push({ page, line: lineAt(withoutCode, m.index), text: m[1] as string });
  }
  return found;
}

/** The anchors GitHub gives a page's headings: lower case, punctuation dropped, spaces as `-`. */
export function headingAnchors(text: string): Set<string> {
  const { prose } = splitFences({ path: '', text });
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of prose.split('\n')) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!heading) continue;
    const base = (heading[1] as string)
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function lineAt(text: string, index: number): number {
  return text.slice(0, index).split('\n').length;
}
