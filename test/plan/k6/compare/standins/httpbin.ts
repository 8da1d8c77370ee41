/**
 * httpbin.org as k6's own tests know it: the go-httpbin that k6 v0.47 vendors
 * (vendor/github.com/mccutchen/go-httpbin), for the endpoints the examples call. Its answers keep
 * go-httpbin's shapes, which are not httpbin.org's: `args`, `form` and `headers` hold lists of
 * values, `/cookies` answers the cookies as a bare object, the auth endpoints say `authorized`.
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { type Answer, json, type SiteRequest, text } from './site.ts';

const JSON_TYPE = 'application/json; encoding=utf-8';
const HTML_TYPE = 'text/html; charset=utf-8';

/** Go's canonical header name: x-test -> X-Test. */
const canonical = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash, c) => dash + c.toUpperCase());

function headersOf(req: SiteRequest): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(req.headers as IncomingHttpHeaders)) {
    if (name.startsWith(':') || value === undefined) continue;
    out[canonical(name)] = Array.isArray(value) ? value : [value];
  }
  out.Host = [req.host];
  return out;
}

function valuesOf(params: URLSearchParams): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [k, v] of params) out[k] = [...(out[k] ?? []), v];
  return out;
}

function described(req: SiteRequest) {
  const query = req.query.toString();
  return {
    args: valuesOf(req.query),
    headers: headersOf(req),
    origin: req.remote,
    url: `http://${req.host}${req.path}${query ? `?${query}` : ''}`,
  };
}

function withBody(req: SiteRequest): Answer {
  const type = String(req.headers['content-type'] ?? '');
  const data = req.body.toString('utf8');
  let form: Record<string, string[]> | null = null;
  let parsed: unknown = null;
  if (type.startsWith('application/x-www-form-urlencoded')) form = valuesOf(new URLSearchParams(data));
  else if (type.startsWith('application/json') && data !== '') {
    try {
      parsed = JSON.parse(data);
    } catch (e) {
      return text(400, `error parsing request body: ${(e as Error).message}`);
    }
  }
  return json(200, { ...described(req), data, files: null, form, json: parsed }, JSON_TYPE);
}

function cookiesOf(req: SiteRequest): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of String(req.headers.cookie ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}

function basicAuth(req: SiteRequest, user: string, pass: string): Answer {
  const header = String(req.headers.authorization ?? '');
  const given = header.startsWith('Basic ') ? Buffer.from(header.slice(6), 'base64').toString() : ':';
  const at = given.indexOf(':');
  const [givenUser, givenPass] = [given.slice(0, at), given.slice(at + 1)];
  const authorized = givenUser === user && givenPass === pass;
  const a = json(authorized ? 200 : 401, { authorized, user: givenUser }, JSON_TYPE);
  if (!authorized) a.headers = { ...a.headers, 'www-authenticate': 'Basic realm="Fake Realm"' };
  return a;
}

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

/** RFC 2617 digest with qop=auth and MD5, checked as go-httpbin checks it (the nonce is not remembered). */
function digestAuth(req: SiteRequest, user: string, pass: string, uri: string): Answer {
  const header = String(req.headers.authorization ?? '');
  const fields: Record<string, string> = {};
  if (header.startsWith('Digest '))
    for (const part of header.slice(7).split(',')) {
      const at = part.indexOf('=');
      if (at > 0)
        fields[part.slice(0, at).trim()] = part
          .slice(at + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1');
    }
  const ha1 = md5(`${fields.username}:${fields.realm}:${pass}`);
  const ha2 = md5(`${req.method}:${uri}`);
  const expected = md5(`${ha1}:${fields.nonce}:${fields.nc}:${fields.cnonce}:${fields.qop}:${ha2}`);
  if (fields.username === user && fields.response === expected)
    return json(200, { authorized: true, user }, JSON_TYPE);
  const nonce = md5(`${Date.now()}:${Math.random()}`);
  const challenge = `Digest qop=auth, realm="go-httpbin", algorithm=MD5, nonce=${nonce}, opaque=${md5(nonce)}`;
  return { status: 401, headers: { 'www-authenticate': challenge } };
}

function redirect(req: SiteRequest, n: string, relative: boolean): Answer {
  const left = Number(n);
  if (!Number.isInteger(left) || left < 1) return text(400, 'Invalid redirect\n');
  const path = left <= 1 ? '/get' : `/${relative ? 'relative' : 'absolute'}-redirect/${left - 1}`;
  return { status: 302, headers: { location: relative ? path : `http://${req.host}${path}` } };
}

const ONLY: Record<string, string[]> = {
  '/': ['GET', 'HEAD'],
  '/get': ['GET', 'HEAD'],
  '/post': ['POST'],
  '/put': ['PUT'],
  '/patch': ['PATCH'],
  '/delete': ['DELETE'],
};

export function httpbin(req: SiteRequest): Answer {
  const { path } = req;
  const allowed = ONLY[path];
  if (allowed && !allowed.includes(req.method)) return text(405, `method ${req.method} not allowed\n`);
  if (path === '/')
    return text(200, '<!DOCTYPE html><html><body><h1>go-httpbin</h1></body></html>', HTML_TYPE);
  if (path === '/get') return json(200, described(req), JSON_TYPE);
  if (allowed) return withBody(req);
  if (path === '/cookies') return json(200, cookiesOf(req), JSON_TYPE);
  if (path === '/cookies/set') {
    const set = [...req.query.keys()].map((k) => `${k}=${req.query.get(k)}; HttpOnly`);
    return { status: 302, headers: { location: '/cookies', 'set-cookie': set } };
  }
  const parts = path.split('/');
  if (parts[1] === 'basic-auth' && parts.length === 4) return basicAuth(req, parts[2], parts[3]);
  if (parts[1] === 'digest-auth' && (parts.length === 5 || parts.length === 6)) {
    if (parts[2].toLowerCase() !== 'auth') return text(400, 'Invalid QOP directive\n');
    const query = req.query.toString();
    return digestAuth(req, parts[3], parts[4], `${path}${query ? `?${query}` : ''}`);
  }
  if ((parts[1] === 'redirect' || parts[1] === 'relative-redirect') && parts.length === 3)
    return redirect(req, parts[2], parts[1] === 'relative-redirect' || req.query.get('absolute') !== 'true');
  if (parts[1] === 'absolute-redirect' && parts.length === 3) return redirect(req, parts[2], false);
  if (parts[1] === 'status' && parts.length === 3) return text(Number(parts[2]) || 400, '');
  return text(404, '404 page not found\n');
}
