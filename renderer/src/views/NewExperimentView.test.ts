// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api/api-error';
import { API_KEY } from '../composables/api-context';
import { fakeClient } from '../fake-client.testutil';
import NewExperimentView from './NewExperimentView';

async function mountForm(create: (input: unknown) => unknown = () => ({ ids: [42] })) {
  const fake = fakeClient({
    'datasets.catalog': () => [{ name: 'ppi', title: 'PPI', task: 'multilabel', sizeHint: '', citation: '', synthetic: false, available: false }],
    'runs.create': create,
  });
  const navigate = vi.fn();
  const wrapper = mount(NewExperimentView, { props: { navigate }, global: { provide: { [API_KEY as symbol]: fake.client } } });
  await flushPromises();
  return { wrapper, fake, navigate };
}

describe('NewExperimentView', () => {
  it('shows field messages and queues nothing while the form is invalid', async () => {
    const { wrapper, fake } = await mountForm();
    await wrapper.find('input[name=epochs]').setValue('0');
    await wrapper.find('input[name=dropout]').setValue('1.5');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[data-field-error=epochs]').text()).toMatch(/1/);
    expect(wrapper.find('[data-field-error=dropout]').exists()).toBe(true);
    expect(wrapper.find('[data-test=form-invalid]').exists()).toBe(true);
    expect(fake.call).not.toHaveBeenCalledWith('runs.create', expect.anything());
    wrapper.unmount();
  });

  it('submits a valid config and opens the new run', async () => {
    const { wrapper, fake, navigate } = await mountForm();
    await wrapper.find('input[name=data]').setValue('csbm:300:1500:3:16');
    await wrapper.find('input[name=epochs]').setValue('25');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const [, input] = fake.call.mock.calls.find(([name]) => name === 'runs.create')!;
    const { configs } = input as { configs: { data: string; epochs: number; strategy: string }[] };
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({ data: 'csbm:300:1500:3:16', epochs: 25, strategy: 'alignahead' });
    expect(navigate).toHaveBeenCalledWith({ view: 'run', id: 42 });
    wrapper.unmount();
  });

  it('applies the PPI preset with ppi-like data when PPI is not downloaded', async () => {
    const { wrapper } = await mountForm();
    await wrapper.find('[data-preset=ppi]').trigger('click');
    expect((wrapper.find('input[name=data]').element as HTMLInputElement).value).toBe('ppi-like');
    expect((wrapper.find('select[name=model]').element as HTMLSelectElement).value).toBe('gat');
    expect((wrapper.find('input[name=heads]').element as HTMLInputElement).value).toBe('3');
    wrapper.unmount();
  });

  it('launches a sweep as one runs.create call with a group', async () => {
    const { wrapper, fake, navigate } = await mountForm(() => ({ ids: [1, 2, 3, 4] }));
    await wrapper.find('input[name=sweep]').setValue(true);
    await wrapper.find('input[name=sweep-seeds]').setValue('0,1');
    await wrapper.find('input[name=sweep-group]').setValue('ahead-vs-oc');
    expect(wrapper.find('[data-test=submit]').text()).toBe('Queue 4 runs');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const [, input] = fake.call.mock.calls.find(([name]) => name === 'runs.create')!;
    const { configs, group } = input as { configs: { strategy: string; seed: number }[]; group: string };
    expect(group).toBe('ahead-vs-oc');
    expect(configs.map((c) => `${c.strategy}:${c.seed}`).sort()).toEqual(['alignahead:0', 'alignahead:1', 'oc:0', 'oc:1']);
    expect(navigate).toHaveBeenCalledWith({ view: 'compare', ids: [1, 2, 3, 4], group: 'ahead-vs-oc' });
    wrapper.unmount();
  });

  it("shows the server's message when it refuses the run", async () => {
    const { wrapper } = await mountForm(() => {
      throw new ApiError("runs.create: configs.0.data: dataset 'nope' not found", 400);
    });
    await wrapper.find('input[name=data]').setValue('nope');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[role=alert]').text()).toContain("dataset 'nope' not found");
    wrapper.unmount();
  });
});
