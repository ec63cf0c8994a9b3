// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { describe, expect, it, vi } from 'vitest';
import { PAPER_PPI, presetConfig } from '../../../contract/presets';
import { runConfigSchema } from '../../../contract/run-config';
import { ApiError } from '../api/api-error';
import { WORKERS_POLL_MS } from '../composables/useQueue';
import { mountView } from '../fake-client.testutil';
import NewExperimentView from './NewExperimentView.vue';

const CATALOG = [{ name: 'ppi', title: 'PPI', task: 'multilabel', citation: '', synthetic: false, available: false, url: 'https://data.dgl.ai/dataset/ppi.zip', bytes: 7088822, sha256: null, sha256Source: null }];

const QUEUE_OFF = { url: null, state: 'off', error: null, coordinator: null, depth: null, ingest: null };
const QUEUE_CONNECTED = { ...QUEUE_OFF, url: 'redis://10.0.0.5:6379', state: 'connected', coordinator: 'c1' };

async function mountForm(
  create: (input: unknown) => unknown = () => ({ ids: [42] }),
  extra: { from?: number; config?: Record<string, unknown>; queue?: Record<string, unknown> } = {},
) {
  const mounted = mountView(NewExperimentView, {
    props: extra.from ? { from: extra.from } : {},
    handlers: {
      'datasets.catalog': () => CATALOG,
      'queue.status': () => extra.queue ?? QUEUE_OFF,
      'runs.create': create,
      'runs.get': () => ({ id: extra.from, name: 'base', config: extra.config }),
    },
  });
  await flushPromises();
  return mounted;
}

const createdConfigs = (call: ReturnType<typeof mountView>['fake']['call']) => {
  const [, input] = call.mock.calls.find(([name]) => name === 'runs.create')!;
  return input as { configs: Record<string, unknown>[]; group?: string; runOn?: string };
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

  it('offers remote workers only while the queue is connected, and says why not', async () => {
    const { wrapper } = await mountForm(undefined, { queue: { ...QUEUE_OFF, url: 'redis://10.0.0.5:6379', state: 'unreachable', error: 'connect ECONNREFUSED 10.0.0.5:6379' } });
    const remote = wrapper.find('select[name=runOn] option[value=remote]');
    expect(remote.attributes('disabled')).toBeDefined();
    expect(remote.text()).toContain('the queue is unreachable: connect ECONNREFUSED');
    expect(wrapper.find('.run-on a').attributes('href')).toBe('/workers');
    wrapper.unmount();
  });

  it('offers remote workers as soon as a queue that was connecting is connected', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      let queue: Record<string, unknown> = { ...QUEUE_CONNECTED, state: 'connecting', coordinator: null };
      const mounted = mountView(NewExperimentView, { handlers: { 'datasets.catalog': () => CATALOG, 'queue.status': () => queue } });
      await flushPromises();
      const remote = () => mounted.wrapper.find('select[name=runOn] option[value=remote]');
      expect(remote().text()).toContain('connecting to the queue');
      expect(remote().attributes('disabled')).toBeDefined();
      queue = QUEUE_CONNECTED;
      await vi.advanceTimersByTimeAsync(WORKERS_POLL_MS);
      await flushPromises();
      expect(remote().attributes('disabled')).toBeUndefined();
      // connected: no more status calls
      const calls = mounted.fake.call.mock.calls.length;
      await vi.advanceTimersByTimeAsync(WORKERS_POLL_MS * 3);
      expect(mounted.fake.call.mock.calls.length).toBe(calls);
      mounted.wrapper.unmount();
    } finally {
      vi.useRealTimers();
    }
  });

  it('sends a sweep to the remote workers with runOn, and a single run too', async () => {
    const { wrapper, fake } = await mountForm(() => ({ ids: [1, 2, 3, 4] }), { queue: QUEUE_CONNECTED });
    expect(wrapper.find('select[name=runOn] option[value=remote]').attributes('disabled')).toBeUndefined();
    await wrapper.find('select[name=runOn]').setValue('remote');
    await wrapper.find('input[name=sweep]').setValue(true);
    await wrapper.find('input[name=sweep-seeds]').setValue('0,1');
    expect(wrapper.find('[data-test=submit]').text()).toBe('Queue 4 runs on remote workers');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    const sweep = createdConfigs(fake.call);
    expect(sweep.runOn).toBe('remote');
    expect(sweep.configs).toHaveLength(4);
    wrapper.unmount();

    const single = await mountForm(undefined, { queue: QUEUE_CONNECTED });
    await single.wrapper.find('select[name=runOn]').setValue('remote');
    expect(single.wrapper.find('[data-test=submit]').text()).toBe('Start run on remote workers');
    await single.wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(createdConfigs(single.fake.call).runOn).toBe('remote');
    expect(single.address()).toBe('/runs/42');
    single.wrapper.unmount();
  });

  it('a local run carries no runOn; a refused remote run shows why (too large to send) and opens nothing', async () => {
    const local = await mountForm(undefined, { queue: QUEUE_CONNECTED });
    await local.wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(createdConfigs(local.fake.call)).not.toHaveProperty('runOn');
    local.wrapper.unmount();

    const { wrapper, address } = await mountForm(
      () => {
        throw new ApiError("runs.create: dataset '/data/big.npz' has 300.0 MiB of arrays and is over the 256 MiB limit for sending data through the queue; import it on each worker", 400);
      },
      { queue: QUEUE_CONNECTED },
    );
    await wrapper.find('select[name=runOn]').setValue('remote');
    await wrapper.find('form').trigger('submit');
    await flushPromises();
    expect(wrapper.find('[role=alert]').text()).toContain('over the 256 MiB limit for sending data through the queue');
    expect(address()).not.toMatch(/^\/runs\/\d/);
    wrapper.unmount();
  });
});
