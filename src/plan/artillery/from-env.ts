/** Config values templated with the environment only, before any virtual user exists. */
import { templateText } from './template.ts';

/** The connection URL of a `config.loadproof.checks` sql check, rendered with `$env` when it runs. */
export function checkUrl(raw: string | undefined, env: Record<string, string | undefined>): string {
  const source = raw ?? '{{ $env.DATABASE_URL }}';
  const url = templateText(source, { vars: { $env: env, $processEnvironment: env } });
  if (!url || url === 'undefined')
    throw new Error(`no database URL: ${source} is not set (set it, or pass --env)`);
  return url;
}

/** A config value templated with the environment only: `fromEnv('{{ $env.TARGET }}')`. */
export function fromEnv(source: string, env: Record<string, string | undefined> = process.env): string {
  return templateText(source, { vars: { $env: env, $processEnvironment: env } });
}
