import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildWhatIsMissing, outputStaleness, rendererStep, type BuildStep, type StepRunner } from './build-steps';

let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'alignahead-build-steps-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** Writes a file with a given modification time (seconds since the epoch). */
function file(path: string, mtime: number): string {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, 'x');
  utimesSync(full, mtime, mtime);
  return full;
}

describe('outputStaleness', () => {
  it('says missing when an output is absent (a fresh clone)', () => {
    file('src/a.ts', 1000);
    expect(outputStaleness([join(root, 'dist/index.html')], [join(root, 'src')])).toBe('missing');
  });

  it('says sources changed when any file under a source folder is newer than the oldest output', () => {
    const out = [file('dist/index.html', 2000), file('dist/other.js', 1500)];
    file('src/deep/nested/b.ts', 1000);
    expect(outputStaleness(out, [join(root, 'src')])).toBeNull();
    file('src/deep/nested/c.ts', 1600);
    expect(outputStaleness(out, [join(root, 'src')])).toBe('sources changed');
  });

  it('ignores node_modules inside a source folder and source paths that do not exist', () => {
    const out = [file('dist/index.html', 2000)];
    file('src/a.ts', 1000);
    file('src/node_modules/pkg/index.js', 3000);
    expect(outputStaleness(out, [join(root, 'src'), join(root, 'not-there')])).toBeNull();
  });
});

describe('rendererStep', () => {
  it('needs a build on a clone without renderer/dist and none once the bundle is newer than the sources', () => {
    file('renderer/src/main.ts', 1000);
    file('contract/api.ts', 1000);
    const step = rendererStep(root);
    expect(step.staleness()).toBe('missing');
    file('renderer/dist/index.html', 2000);
    expect(step.staleness()).toBeNull();
    file('contract/api.ts', 3000);
    expect(step.staleness()).toBe('sources changed');
  });
});

describe('buildWhatIsMissing', () => {
  const output = (isTTY = false) => {
    const lines: string[] = [];
    return { out: { write: (text: string) => lines.push(text), isTTY }, text: () => lines.join('') };
  };
  const step = (label: string, stale: string | null): BuildStep => ({ label, staleness: () => stale, args: [label] });

  it('builds only the stale steps, with one progress line each', async () => {
    const ran: string[][] = [];
    const run: StepRunner = async (args) => {
      ran.push(args);
      return { code: 0, output: 'noise that is not shown' };
    };
    const { out, text } = output();
    let clock = 0;
    const built = await buildWhatIsMissing([step('ui', 'missing'), step('shell', null)], { out, run, now: () => (clock += 1700) });
    expect(built).toEqual(['ui']);
    expect(ran).toEqual([['ui']]);
    expect(text()).toBe('alignahead start: [1/2] ui: missing, building… done in 1.7 s\nalignahead start: [2/2] shell: up to date\n');
  });

  it('stops at a failed step and reports the end of its output', async () => {
    const run: StepRunner = async () => ({ code: 2, output: 'line 1\nerror: renderer/src/App.vue: unexpected token\n' });
    const { out } = output();
    const later = step('later', 'missing');
    let laterChecked = false;
    later.staleness = () => {
      laterChecked = true;
      return 'missing';
    };
    await expect(buildWhatIsMissing([step('ui', 'missing'), later], { out, run })).rejects.toThrow(/building the ui failed \(exit 2\):\nline 1\nerror: renderer\/src\/App\.vue: unexpected token/);
    expect(laterChecked).toBe(false);
  });

  it('really builds a step: the runner executes the script with this Node', async () => {
    const target = join(root, 'built.txt');
    const script = file('make.mjs', 1000);
    writeFileSync(script, `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(target)}, 'ok');`);
    const { out } = output();
    const real: BuildStep = { label: 'file', staleness: () => outputStaleness([target], [script]), args: [script] };
    expect(await buildWhatIsMissing([real], { out, cwd: root })).toEqual(['file']);
    expect(real.staleness()).toBeNull();
    expect(await buildWhatIsMissing([real], { out, cwd: root })).toEqual([]);
  });
});
