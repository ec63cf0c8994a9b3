// @vitest-environment happy-dom
import { mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { RunDetail } from '../../../../contract/api';
import { storedWebgpuReport } from '../../../../contract/testing/backend-reports';
import { makeCompareEntry } from '../../test-fixtures';
import RunSidePanels from './RunSidePanels.vue';

const STORED_REPORT = storedWebgpuReport('the optional package @tensorflow/tfjs-node-gpu is not installed');

function runWith(patch: Partial<RunDetail>): RunDetail {
  return { ...makeCompareEntry(3, 'alignahead', [0.8, 0.7]).run, ...patch };
}

describe('the run view side panels', () => {
  it('show the backend report as a table — backend, threads, adapter, each skipped backend with its reason — not JSON', () => {
    const wrapper = mount(RunSidePanels, { props: { run: runWith({ backend: 'webgpu', backendReport: STORED_REPORT, versions: { app: '0.1.0', node: 'v20.20.2' } }), metrics: [] } });
    const rows = wrapper.findAll('[data-test=backend-report] tr').map((tr) => [tr.find('th').text(), tr.find('td').text()]);
    expect(rows).toContainEqual(['backend', 'webgpu']);
    expect(rows).toContainEqual(['threads', 'decided by the library or GPU']);
    expect(rows).toContainEqual(['adapter', 'mesa llvmpipe (LLVM 15.0.7, 256 bits) (vulkan, software adapter)']);
    const skipped = wrapper.findAll('[data-test=skipped-backends] tbody tr').map((tr) => tr.findAll('td').map((td) => td.text()));
    expect(skipped).toEqual([['tensorflow-gpu', 'the optional package @tensorflow/tfjs-node-gpu is not installed']]);
    expect(wrapper.text()).toContain('app 0.1.0 · node v20.20.2');
    expect(wrapper.text()).not.toMatch(/[{}"]/);
  });

  it('a run that has not started yet says so instead of an empty table', () => {
    const wrapper = mount(RunSidePanels, { props: { run: runWith({ backend: null, backendReport: null }), metrics: [] } });
    expect(wrapper.find('[data-test=backend-report]').exists()).toBe(false);
    expect(wrapper.text()).toContain('chosen when the run starts');
  });
});
