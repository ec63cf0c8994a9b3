// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createWebHashHistory } from 'vue-router';
import { createAppRouter, routeLocation, type Route } from './router';

const router = createAppRouter(createWebHashHistory());

/** Opens an address and returns the view it shows with the props that view gets. */
async function open(path: string) {
  await router.push(path);
  const route = router.currentRoute.value;
  const props = route.matched[0]?.props.default;
  return { view: route.name, props: typeof props === 'function' ? props(route) : {} };
}

/** The typed route's arguments, as the view receives them. */
function args(route: Route): Record<string, unknown> {
  const { view: _view, ...rest } = route;
  return route.view === 'new' ? { data: null, ...rest } : rest;
}

describe('routes and deep links', () => {
  const links: [Route, string][] = [
    [{ view: 'runs' }, '#/runs'],
    [{ view: 'new', from: 7, data: 'csbm:300:1500:3' }, '#/new?from=7&data=csbm:300:1500:3'],
    [{ view: 'new', from: null }, '#/new'],
    [{ view: 'run', id: 12 }, '#/runs/12'],
    [{ view: 'compare', ids: [1, 2, 3], group: null }, '#/compare?ids=1,2,3'],
    [{ view: 'compare', ids: [], group: 'sweep a' }, '#/compare?group=sweep+a'],
    [{ view: 'heatmaps', left: 4, right: 9 }, '#/heatmaps?left=4&right=9'],
    [{ view: 'heatmaps', left: 4, right: null }, '#/heatmaps?left=4'],
    [{ view: 'datasets' }, '#/datasets'],
    [{ view: 'workers' }, '#/workers'],
  ];

  it('round-trips every view through its address', async () => {
    for (const [route, href] of links) {
      expect(router.resolve(routeLocation(route)).href).toBe(href);
      expect(await open(href.slice(1))).toEqual({ view: route.view, props: args(route) });
    }
  });

  it('reads links written with full percent-encoding the same way', async () => {
    expect((await open('/new?from=7&data=csbm%3A300%3A1500%3A3')).props).toEqual({ from: 7, data: 'csbm:300:1500:3' });
    expect((await open('/compare?ids=1%2C2&group=sweep%20a')).props).toEqual({ ids: [1, 2], group: 'sweep a' });
  });

  it('falls back to the runs view and drops malformed ids', async () => {
    expect(await open('/')).toEqual({ view: 'runs', props: {} });
    expect(await open('/nowhere')).toEqual({ view: 'runs', props: {} });
    expect(await open('/runs/abc')).toEqual({ view: 'runs', props: {} });
    expect(await open('/runs/0')).toEqual({ view: 'runs', props: {} });
    expect(await open('/compare?ids=1,x,-2,3')).toEqual({ view: 'compare', props: { ids: [1, 3], group: null } });
    expect((await open('/heatmaps?left=abc&right=2')).props).toEqual({ left: null, right: 2 });
  });
});
