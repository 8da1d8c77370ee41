/**
 * Every relative link in the README, docs/ and the contributor pages reaches a file, and its
 * anchor, when it has one, a heading of that file: a page moved or a heading renamed fails here,
 * naming the page and the line of the link.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import {
  contributorPages,
  headingAnchors,
  links,
  type Page,
  REPO,
  readerPages,
  splitFences,
} from './markdown.ts';

const pages: Page[] = [...readerPages(), ...contributorPages()];

function problemsOf(page: Page): string[] {
  const problems: string[] = [];
  for (const link of links(page.path, splitFences(page).prose)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(link.text)) continue; // https:, mailto: and the like
    const [target = '', anchor] = link.text.split('#', 2);
    const file = target === '' ? join(REPO, page.path) : join(REPO, dirname(page.path), decodeURI(target));
    const where = `${page.path}:${link.line}: ${link.text}`;
    if (!existsSync(file)) {
      problems.push(`${where}: no file ${relative(REPO, file)}`);
      continue;
    }
    if (anchor === undefined) continue;
    if (!file.endsWith('.md')) {
      problems.push(`${where}: an anchor into a file that is not Markdown`);
      continue;
    }
    if (!headingAnchors(readFileSync(file, 'utf8')).has(anchor))
      problems.push(`${where}: no heading #${anchor} in ${relative(REPO, file)}`);
  }
  return problems;
}

describe('links in the docs', () => {
  it('the pages are there: the README, the docs index and a page per task', () => {
    const paths = pages.map((p) => p.path);
    for (const path of [
      'README.md',
      'docs/README.md',
      'docs/writing-plans.md',
      'docs/running.md',
      'docs/k6-scripts.md',
      'docs/artillery.md',
      'docs/many-machines.md',
      'docs/reports-and-outputs.md',
      'docs/errors-and-exit-codes.md',
      'docs/reference-services.md',
      'docs/performance.md',
    ])
      assert.ok(paths.includes(path), `${path} is missing`);
  });

  it('the README stays short: what a newcomer needs, the rest linked', () => {
    const readme = pages.find((p) => p.path === 'README.md') as Page;
    const lines = readme.text.split('\n').length;
    assert.ok(lines <= 150, `README.md has ${lines} lines; move the detail to a page under docs/`);
  });

  it('every page under docs/ is reached from the docs index or the README', () => {
    const reached = new Set<string>();
    for (const page of pages.filter((p) => p.path === 'README.md' || p.path === 'docs/README.md'))
      for (const link of links(page.path, splitFences(page).prose)) {
        const target = link.text.split('#')[0] as string;
        if (target !== '') reached.add(join(dirname(page.path), target));
      }
    const unreached = pages
      .filter((p) => p.path.startsWith('docs/') && p.path !== 'docs/README.md')
      .filter((p) => !reached.has(p.path))
      .map((p) => p.path);
    assert.deepEqual(unreached, []);
  });

  for (const page of pages) {
    it(`${page.path}: every relative link resolves, anchors included`, () => {
      assert.deepEqual(problemsOf(page), []);
    });
  }

  it('the anchors are GitHub’s', () => {
    const anchors = headingAnchors(
      '# Reports and outputs\n## results.json\n## handleSummary and --summary-export\n' +
        '## The clinic service (services/clinic)\n## Notes\n## Notes\n```\n# not a heading\n```\n',
    );
    assert.deepEqual(
      [...anchors],
      [
        'reports-and-outputs',
        'resultsjson',
        'handlesummary-and---summary-export',
        'the-clinic-service-servicesclinic',
        'notes',
        'notes-1',
      ],
    );
  });
});
