// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { PAPER_PPI, presetConfig } from '../../../contract/presets';
import { runConfigSchema } from '../../../contract/run-config';
import { ApiError } from '../api/api-error';
import { mountView } from '../fake-client.testutil';
import NewExperimentView from './NewExperimentView.vue';

const CATALOG = [{ name: 'ppi', title: 'PPI', task: 'multilabel', sizeHint: '', citation: '', synthetic: false, available: false }];

async function mountForm(create: (input: unknown) => unknown = () => ({ ids: [42] }), extra: { from?: number; config?: Record<string, unknown> } = {}) {
  const mounted = mountView(NewExperimentView, {
    props: extra.from ? { from: extra.from } : {},
    handlers: {
      'datasets.catalog': () => CATALOG,
      'runs.create': create,
      'runs.get': () => ({ id: extra.from, name: 'base', config: extra.config }),
    },
  });
  await flushPromises();
  return mounted;
}

const createdConfigs = (call: ReturnType<typeof mountView>['fake']['call']) => {
  const [, input] = call.mock.calls.find(([name]) => name === 'runs.create')!;
  return input as { configs: Record<string, unknown>[]; group?: string };
};

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
    const { wrapper, fake, address } = await mountForm();
    await wrapper.find('input[name=data]').setValue('csbm:300:1500:3:16');
    await wrapper.find('input[name=epochs]').setValue('25');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const { configs } = createdConfigs(fake.call);
    expect(configs).toHaveLength(1);
    expect(configs[0]).toMatchObject({ data: 'csbm:300:1500:3:16', epochs: 25, strategy: 'alignahead' });
    expect(address()).toBe('/runs/42');
    wrapper.unmount();
  });

  it('applies the paper-ppi preset (ppi-like data when PPI is not downloaded) and queues exactly its config', async () => {
    const { wrapper, fake } = await mountForm();
    expect(wrapper.findAll('[data-preset]')[0].attributes('data-preset')).toBe('paper-ppi');
    await wrapper.find('[data-preset=paper-ppi]').trigger('click');
    expect((wrapper.find('input[name=data]').element as HTMLInputElement).value).toBe('ppi-like');
    expect((wrapper.find('select[name=model]').element as HTMLSelectElement).value).toBe('gat');
    expect((wrapper.find('input[name=heads]').element as HTMLInputElement).value).toBe('3');
    expect((wrapper.find('input[name=outHeads]').element as HTMLInputElement).value).toBe('3');
    expect((wrapper.find('select[name=init]').element as HTMLSelectElement).value).toBe('authors');
    expect((wrapper.find('select[name=selection]').element as HTMLSelectElement).value).toBe('authors');
    expect((wrapper.find('input[name=f1Threshold]').element as HTMLInputElement).value).toBe('0.5');
    expect((wrapper.find('input[name=redrawBatches]').element as HTMLInputElement).checked).toBe(true);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(createdConfigs(fake.call).configs[0]).toEqual(runConfigSchema.parse(presetConfig(PAPER_PPI, { available: () => false })));
    wrapper.unmount();
  });

  it('sends τ auto and normalised rows from their inputs', async () => {
    const { wrapper, fake } = await mountForm();
    await wrapper.find('select[name=tauMode]').setValue('auto');
    expect(wrapper.text()).toContain('Fallback τ');
    await wrapper.find('input[name=normaliseFeatures]').setValue(true);
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(createdConfigs(fake.call).configs[0].kernel).toMatchObject({ kind: 'l1', tauMode: 'auto', normaliseFeatures: true, tau: 100 });
    wrapper.unmount();
  });

  it('launches a sweep as one runs.create call with a group', async () => {
    const { wrapper, fake, address } = await mountForm(() => ({ ids: [1, 2, 3, 4] }));
    await wrapper.find('input[name=sweep]').setValue(true);
    await wrapper.find('input[name=sweep-seeds]').setValue('0,1');
    await wrapper.find('input[name=sweep-group]').setValue('ahead-vs-oc');
    expect(wrapper.find('[data-test=submit]').text()).toBe('Queue 4 runs');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const { configs, group } = createdConfigs(fake.call);
    expect(group).toBe('ahead-vs-oc');
    expect(configs.map((c) => `${c.strategy}:${c.seed}`).sort()).toEqual(['alignahead:0', 'alignahead:1', 'oc:0', 'oc:1']);
    expect(address()).toBe('/compare?ids=1,2,3,4&group=ahead-vs-oc');
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

  it('"edit & run" keeps every field of the run, the feature distance and the polynomial kernel included', async () => {
    const config = runConfigSchema.parse({ data: 'cora', featureTransfer: 0.3, featureLoss: 'cosine', kernel: { kind: 'poly', c: 0.5, degree: 3 }, split: { kind: 'ratio', train: 0.5, val: 0.25 } });
    const { wrapper, fake } = await mountForm(undefined, { from: 5, config });
    expect(wrapper.find('h2').text()).toBe('New experiment from run 5');
    expect((wrapper.find('select[name=featureLoss]').element as HTMLSelectElement).value).toBe('cosine');
    expect((wrapper.find('input[name=polyDegree]').element as HTMLInputElement).value).toBe('3');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(createdConfigs(fake.call).configs[0]).toEqual({ ...config, name: 'base (copy)' });
    wrapper.unmount();
  });
});
