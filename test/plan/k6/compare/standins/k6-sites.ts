/**
 * Imitations of the public sites the examples call, for the pages they read: test.k6.io (front
 * page, pi.php, static assets, the messages login), test-api.k6.io (front page, public
 * crocodiles), jslib.k6.io (the two remote modules the examples import, written here, not k6's),
 * the local site of localhost.js, and a few others answered plainly.
 */
import { type Answer, json, type SiteRequest, text } from './site.ts';

const HTML = 'text/html; charset=UTF-8';
const DESCRIPTION = 'Collection of simple web-pages suitable for load testing.';

const page = (title: string, body: string): Answer =>
  text(200, `<!DOCTYPE html><html><head><title>${title}</title></head><body>${body}</body></html>`, HTML);

const STATIC: Record<string, [string, string]> = {
  '/static/css/site.css': ['text/css', 'body { margin: 0 }'],
  '/static/favicon.ico': ['image/x-icon', 'ico'],
  '/static/js/prisms.js': ['application/javascript', 'var prisms = 1;'],
};

export function testK6io(req: SiteRequest): Answer {
  if (req.path === '/')
    return page(
      'Demo website for load testing',
      `<h1>Demo site</h1><p class="description">${DESCRIPTION}</p><a href="/my_messages.php">messages</a>`,
    );
  if (req.path === '/pi.php') return text(200, '3.14', HTML);
  const asset = STATIC[req.path];
  if (asset) return text(200, asset[1], asset[0]);
  if (req.path === '/my_messages.php')
    return page('Messages', '<h2>Unauthorized</h2><form method="post" action="/login.php"></form>');
  if (req.path === '/login.php' && req.method === 'POST') return page('Messages', '<h2>Welcome, admin!</h2>');
  return text(404, 'Not Found');
}

const CROCODILES = [
  { id: 1, name: 'Bert', sex: 'M', date_of_birth: '2010-06-27', age: 15 },
  { id: 2, name: 'Ed', sex: 'M', date_of_birth: '1995-02-27', age: 30 },
  { id: 3, name: 'Lyle the Crocodile', sex: 'M', date_of_birth: '1985-03-03', age: 40 },
];

export function testApiK6io(req: SiteRequest): Answer {
  if (req.path === '/') return page('test-api.k6.io', '<h1>Test API</h1>');
  if (req.path === '/public/crocodiles/') return json(200, CROCODILES);
  const one = /^\/public\/crocodiles\/(\d+)\/?$/.exec(req.path);
  if (one) {
    const croc = CROCODILES.find((c) => c.id === Number(one[1]));
    return croc ? json(200, croc) : json(404, { detail: 'Not found.' });
  }
  return json(404, { detail: 'Not found.' });
}

/** Remote modules, written for these tests: what the examples call, with the same signatures. */
const JSLIB: Record<string, string> = {
  '/k6-utils/1.1.0/index.js': [
    'export function randomIntBetween(min, max) { return Math.floor(Math.random() * (max - min + 1) + min); }',
    "export function randomString(length) { let s = ''; while (s.length < length) s += 'abcdefghij'[randomIntBetween(0, 9)]; return s; }",
  ].join('\n'),
  '/k6-summary/0.0.1/index.js':
    'export function textSummary(data) { return Object.keys(data.metrics).sort().join("\\n") + "\\n"; }',
};

export function jslib(req: SiteRequest): Answer {
  const module = JSLIB[req.path];
  return module ? text(200, module, 'application/javascript') : text(404, 'Not Found');
}

/** The site localhost.js loads: a page, its stylesheet and an image. */
export function localSite(req: SiteRequest): Answer {
  if (req.path === '/') return page('local', '<img src="/teddy.jpg">');
  if (req.path === '/style.css') return text(200, 'img { width: 1px }', 'text/css');
  if (req.path === '/teddy.jpg') return text(200, 'jpg', 'image/jpeg');
  return text(404, 'Not Found');
}

/** api.github.com without a valid token, as the graphql example meets it. */
export function github(_req: SiteRequest): Answer {
  return json(401, { message: 'Bad credentials', documentation_url: 'https://docs.github.com/graphql' });
}

/** Any page answered 200: stackoverflow.com (ocsp.js), sha256.badssl.com (tlsconfig.js). */
export function plainPage(_req: SiteRequest): Answer {
  return page('stand-in', '<p>stand-in</p>');
}

/** A site with nothing on it (the pantheon examples' shop is not imitated): every path 404. */
export function nothingHere(_req: SiteRequest): Answer {
  return text(404, 'Not Found');
}
