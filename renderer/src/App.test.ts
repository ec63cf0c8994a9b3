// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import App from './App.vue';
import { API_KEY } from './composables/api-context';
import { fakeClient } from './fake-client.testutil';
import { createAppRouter } from './router';
import { makeRun } from './test-fixtures';

async function mountApp(path: string) {
  const fake = fakeClient({
    'runs.list': () => ({ runs: [makeRun({ id: 1 })], total: 1 }),
    'datasets.catalog': () => [],
    'app.info': () => ({ mode: 'serve', version: '0.1.0', databasePath: '/tmp/runs.sqlite', backend: null }),
    'settings.get': () => ({ backend: 'auto', maxConcurrentRuns: 1 }),
  });
  const router = createAppRouter(createMemoryHistory());
  await router.push(path);
  const wrapper = mount(App, { attachTo: document.body, global: { plugins: [router], provide: { [API_KEY as symbol]: fake.client }, stubs: { EChart: true } } });
  await flushPromises();
  return { wrapper, router };
}

const press = (key: string) => document.body.dispatchEvent(new KeyboardEvent('keydown', { key, bubbles: true, cancelable: true }));

describe('the app shell', () => {
  it('marks the current view in the navigation, runs also for one run', async () => {
    const { wrapper, router } = await mountApp('/datasets');
    expect(wrapper.find('nav a.active').attributes('data-nav')).toBe('datasets');
    await router.push('/runs/1');
    expect(wrapper.find('nav a.active').attributes('data-nav')).toBe('runs');
    expect(wrapper.findAll('nav a').map((a) => a.attributes('href'))).toEqual(['/runs', '/new', '/compare', '/heatmaps', '/datasets', '/workers']);
    wrapper.unmount();
  });

  it('"/" opens the runs and puts the cursor in the search box; "?" shows the shortcuts', async () => {
    const { wrapper, router } = await mountApp('/datasets');
    press('/');
    await flushPromises();
    expect(router.currentRoute.value.name).toBe('runs');
    expect(document.activeElement?.id).toBe('run-search');
    (document.activeElement as HTMLElement).blur();
    press('?');
    await flushPromises();
    expect(wrapper.find('[role=dialog][aria-label="Keyboard shortcuts"]').text()).toContain('search runs');
    wrapper.unmount();
  });
});
