import { readFileSync } from 'node:fs';

let cached: string | null = null;

/** The workbench's version, from package.json (recorded with every run for reproducibility). */
export function appVersion(): string {
  if (cached === null) {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
    cached = pkg.version;
  }
  return cached;
}
