/**
 * What an Artillery script's runtime is given: the script's options, its scenarios and request
 * steps as `loadproof convert` writes them (templates unrendered), and the context a processor
 * function receives.
 */
import type { CaptureSpec } from './capture.ts';
import type { ExpectSpec } from './expectations.ts';
import type { Payload } from './payload.ts';
import type { ArtilleryFn } from './processor.ts';
import type { TemplateContext } from './template.ts';
import type { ArtilleryVu } from './virtual-user.ts';

export interface ExpectPluginOptions {
  /** A request without expectations expects 200. */
  expectDefault200?: boolean;
  /** A failed expectation also fails the virtual user. */
  reportFailuresAsErrors?: boolean;
}

export interface ScriptOptions {
  target: string;
  /** `--environment` name, as `$environment`. */
  environment?: string;
  variables?: Record<string, unknown>;
  payload?: Payload[];
  defaults?: {
    headers?: Record<string, unknown>;
    cookie?: Record<string, unknown>;
    strictCapture?: boolean;
    /** Think time jitter, e.g. "20%". */
    think?: { jitter?: string };
  };
  /** The expect plugin's options when `config.plugins.expect` is set; without it, `expect` is not checked. */
  expect?: ExpectPluginOptions;
  /** config.http.timeout in seconds (Artillery's default is 10). */
  timeout?: number;
  /** The script's path, as `$scenarioFile` and (its folder) `$dirname`. */
  scriptPath?: string | URL;
}

/** What a request step sends and expects, as the script writes it (templates unrendered). */
export interface RequestFields {
  url: string;
  /** Name for the metrics (else a templated URL as written, else the path). */
  name?: string;
  json?: unknown;
  body?: unknown;
  form?: Record<string, unknown>;
  formData?: Record<string, unknown>;
  qs?: Record<string, unknown>;
  headers?: Record<string, unknown>;
  cookie?: Record<string, unknown>;
  auth?: { user: unknown; pass: unknown };
  expect?: ExpectSpec;
  followRedirect?: boolean;
}

export interface RequestSpec extends RequestFields {
  capture?: CaptureSpec | CaptureSpec[];
  /** An expression over the variables, or a processor function of them. */
  ifTrue?: string | ArtilleryFn;
  /** Percent chance that the request is sent. */
  probability?: number;
  beforeRequest?: ArtilleryFn | ArtilleryFn[];
  afterResponse?: ArtilleryFn | ArtilleryFn[];
}

export interface ScenarioSpec {
  name: string;
  weight?: number;
  run: (u: ArtilleryVu) => Promise<void>;
  beforeRequest?: ArtilleryFn[];
  afterResponse?: ArtilleryFn[];
  onError?: ArtilleryFn[];
}

export interface LoopOptions {
  count?: number | string;
  /** A list, or the name of a variable holding one. */
  over?: unknown[] | string;
  whileTrue?: ArtilleryFn;
  loopValue?: string;
  loopElement?: string;
}

/** The context a processor function receives: `context.vars` as in Artillery. */
export interface ArtilleryContext extends TemplateContext {
  vars: Record<string, any>;
  funcs: Record<string, (...args: unknown[]) => unknown>;
  _uid: string;
}
