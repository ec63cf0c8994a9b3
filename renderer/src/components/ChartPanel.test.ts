// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildCurvesOption } from '../charts/curves';
import { LIGHT_PALETTE } from '../charts/palette';
import ChartPanel from './ChartPanel.vue';

const option = buildCurvesOption(
  [{ name: 'student 1', points: Array.from({ length: 30 }, (_, i) => ({ epoch: i + 1, value: 1 / (i + 1), elapsedMs: i })) }],
  { xMode: 'epoch', logY: false, smoothing: 0, yName: 'task loss', palette: LIGHT_PALETTE },
);

/** What the panel saved: file name and Blob of each download. */
function captureDownloads() {
  const saved: { name: string; blob: Blob }[] = [];
  const blobs = new Map<string, Blob>();
  vi.spyOn(URL, 'createObjectURL').mockImplementation((blob) => {
    const url = `blob:test/${blobs.size}`;
    blobs.set(url, blob as Blob);
    return url;
  });
  vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    saved.push({ name: this.download, blob: blobs.get(this.href)! });
  });
  return saved;
}

afterEach(() => vi.restoreAllMocks());

describe('chart exports', () => {
  it('the SVG button saves the paper figure of the chart shown, named after its title', async () => {
    const saved = captureDownloads();
    const wrapper = mount(ChartPanel, { props: { title: 'Task loss', option, csv: () => 'epoch,value\n' }, global: { stubs: { EChart: true } } });
    await wrapper.findAll('button').find((b) => b.text() === 'SVG')!.trigger('click');
    expect(saved.map((s) => [s.name, s.blob.type])).toEqual([['task-loss.svg', 'image/svg+xml']]);
    const svg = await saved[0].blob.text();
    expect(svg).toMatch(/^<svg width="3\.5in" height="2\.4in"/);
    expect(svg).toContain('>student 1</text>');
    await wrapper.findAll('button').find((b) => b.text() === 'CSV')!.trigger('click');
    expect(saved[1].name).toBe('task-loss.csv');
  });

  it('exports are off while the chart has nothing to show', () => {
    const wrapper = mount(ChartPanel, { props: { title: 'Task loss', option, csv: () => '', empty: 'Waiting for the first epoch…' }, global: { stubs: { EChart: true } } });
    for (const label of ['SVG', 'PNG', 'CSV']) expect(wrapper.findAll('button').find((b) => b.text() === label)!.attributes('disabled')).toBeDefined();
  });
});
