// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { scoreTable, toLatex, toMarkdown } from '../../../contract/result-table';
import { mountView } from '../fake-client.testutil';
import { makeCompareEntry } from '../test-fixtures';
import CompareView from './CompareView.vue';

const downloads = vi.hoisted(() => [] as { filename: string; mimeType: string; content: string }[]);
vi.mock('../download', async (original) => ({
  ...(await original<typeof import('../download')>()),
  downloadText: (filename: string, mimeType: string, content: string) => downloads.push({ filename, mimeType, content }),
}));

const ENTRIES = [
  makeCompareEntry(1, 'alignahead', [0.81, 0.83], undefined, { group: 'sweep a' }),
  makeCompareEntry(2, 'alignahead', [0.84, 0.84], undefined, { group: 'sweep a' }),
  makeCompareEntry(3, 'oc', [0.79, 0.79], undefined, { group: 'sweep a' }),
  makeCompareEntry(4, 'oc', [0.8, 0.78]),
];

async function mountCompare(props: { ids: number[]; group?: string | null }) {
  const mounted = mountView(CompareView, {
    props,
    handlers: {
      // the store's answer: a group's runs when one is asked for, else the newest runs and the groups
      'runs.list': (input) => {
        const { group } = input as { group?: string };
        const runs = ENTRIES.map((e) => e.run).filter((r) => group === undefined || r.group === group);
        return { runs, total: runs.length, facets: { statuses: {}, strategies: [], groups: ['sweep a'] } };
      },
      'runs.compare': (input) => ENTRIES.filter((e) => (input as { ids: number[] }).ids.includes(e.run.id)),
    },
  });
  await flushPromises();
  return mounted;
}

describe('CompareView', () => {
  it("shows a row per student and Welch's test between the two strategies", async () => {
    const { wrapper } = await mountCompare({ ids: [1, 2, 3, 4] });
    expect(wrapper.findAll('.compare-table tbody tr')).toHaveLength(8);
    const welch = wrapper.find('[data-test=welch]');
    expect((welch.find('select[aria-label="group A"]').element as HTMLSelectElement).value).toBe('alignahead');
    expect((welch.find('select[aria-label="group B"]').element as HTMLSelectElement).value).toBe('oc');
    expect(welch.find('.welch-result').text()).toMatch(/p = 0\.\d{4}/);
    wrapper.unmount();
  });

  it('a link naming only a sweep group compares all of its runs', async () => {
    const { wrapper, fake } = await mountCompare({ ids: [], group: 'sweep a' });
    expect(fake.call).toHaveBeenCalledWith('runs.list', expect.objectContaining({ group: 'sweep a' }));
    expect(fake.call).toHaveBeenCalledWith('runs.compare', { ids: [1, 2, 3] });
    expect(wrapper.find('.picker h3').text()).toBe('Runs (3 chosen)');
    wrapper.unmount();
  });

  it('has the store search the picker, and takes a whole sweep group from it', async () => {
    const { wrapper, fake, address } = await mountCompare({ ids: [4] });
    await wrapper.find('.picker input[type=search]').setValue('strategy:oc');
    await new Promise((resolve) => setTimeout(resolve, 250));
    await flushPromises();
    expect(fake.call).toHaveBeenCalledWith('runs.list', expect.objectContaining({ search: 'strategy:oc', limit: 500 }));
    await wrapper.find('.picker select[aria-label="sweep group"]').setValue('sweep a');
    await flushPromises();
    expect(fake.call).toHaveBeenLastCalledWith('runs.compare', { ids: [1, 2, 3] });
    expect(address()).toBe('/compare?ids=1,2,3');
    wrapper.unmount();
  });

  it('ticking a run in the picker compares it and updates the address', async () => {
    const { wrapper, fake, address } = await mountCompare({ ids: [1] });
    await wrapper.find('input[data-pick="3"]').setValue(true);
    await flushPromises();
    expect(fake.call).toHaveBeenLastCalledWith('runs.compare', { ids: [1, 3] });
    expect(address()).toBe('/compare?ids=1,3');
    wrapper.unmount();
  });

  it('exports the group table as LaTeX and Markdown: mean ± std per strategy, Welch p vs group A', async () => {
    const { wrapper } = await mountCompare({ ids: [1, 2, 3, 4] });
    downloads.length = 0;
    await wrapper.find('[data-test=export-latex]').trigger('click');
    await wrapper.find('[data-test=export-markdown]').trigger('click');
    // the score of a fixture run: the mean test-at-best over its students
    const score = (tests: number[]) => tests.reduce((a, b) => a + b, 0) / tests.length;
    const expected = scoreTable({
      caption: 'cora: test at best validation, mean ± std over runs (each run: the mean over its students)',
      keyHeaders: ['strategy'],
      referenceName: 'alignahead',
      scoreColumns: [{ header: 'test at best validation', digits: 3, higherIsBetter: true }],
      rows: [
        { keys: ['alignahead'], block: '', scores: [[score([0.81, 0.83]), score([0.84, 0.84])]], reference: true },
        { keys: ['oc'], block: '', scores: [[score([0.79, 0.79]), score([0.8, 0.78])]], reference: false },
      ],
    });
    expect(downloads.map((d) => [d.filename, d.mimeType])).toEqual([
      ['groups-test-at-best-validation.tex', 'application/x-tex'],
      ['groups-test-at-best-validation.md', 'text/markdown'],
    ]);
    expect(downloads[0].content).toBe(toLatex(expected, 'tab:groups'));
    expect(downloads[1].content).toBe(toMarkdown(expected));
    expect(downloads[1].content).toContain('| alignahead | 2 | **0.830 ± 0.014** | ref. |');
    wrapper.unmount();
  });
});
