// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import type { BackendInfo } from '../../../contract/api';
import { API_KEY } from '../composables/api-context';
import { fakeClient } from '../fake-client.testutil';
import StatusBar from './StatusBar.vue';

const WASM: BackendInfo = { backend: 'wasm', graphOps: 'kernels', threads: 1, kernelThreads: 2, adapter: null, skipped: [{ backend: 'webgpu', reason: 'software adapter only' }] };
const WEBGPU: BackendInfo = {
  backend: 'webgpu',
  graphOps: 'webgpu-kernels',
  threads: null,
  kernelThreads: null,
  adapter: { vendor: 'mesa', architecture: '', device: 'llvmpipe', description: '', backendType: 'vulkan', fallback: true },
  skipped: [],
};

describe('the status bar', () => {
  it('shows the backend, then the GPU adapter once a webgpu run reports it', async () => {
    const fake = fakeClient({
      'app.info': () => ({ mode: 'serve', version: '0.1.0', databasePath: '/tmp/x.sqlite', backend: WASM }),
      'settings.get': () => ({ backend: 'auto', maxConcurrentRuns: 1 }),
    });
    const wrapper = mount(StatusBar, { global: { provide: { [API_KEY as symbol]: fake.client } } });
    await flushPromises();
    expect(wrapper.find('[data-test=backend]').text()).toBe('backend: wasm (kernels) · graph kernels on 2 threads');
    expect(wrapper.find('[data-test=adapter]').exists()).toBe(false);
    expect(wrapper.text()).toContain('skipped webgpu (software adapter only)');

    fake.emit({ type: 'backend', backend: WEBGPU });
    await flushPromises();
    expect(wrapper.find('[data-test=backend]').text()).toBe('backend: webgpu (webgpu-kernels)');
    expect(wrapper.find('[data-test=adapter]').text()).toBe('GPU: mesa llvmpipe (vulkan, software adapter)');
    wrapper.unmount();
  });
});
