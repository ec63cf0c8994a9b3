import { describe, expect, it } from 'vitest';
import { formatRoute, parseRoute, type Route } from './router';

describe('hash router', () => {
  it('round-trips every view', () => {
    const routes: Route[] = [
      { view: 'runs' },
      { view: 'new', from: 7, data: 'csbm:300:1500:3' },
      { view: 'run', id: 12 },
      { view: 'compare', ids: [1, 2, 3], group: null },
      { view: 'compare', ids: [], group: 'sweep a' },
      { view: 'heatmaps', left: 4, right: 9 },
      { view: 'datasets' },
    ];
    for (const route of routes) {
      const parsed = parseRoute(formatRoute(route));
      expect(parsed.view).toBe(route.view);
      expect(formatRoute(parsed)).toBe(formatRoute(route));
    }
  });

  it('falls back to the runs view and drops malformed ids', () => {
    expect(parseRoute('')).toEqual({ view: 'runs' });
    expect(parseRoute('#/nowhere')).toEqual({ view: 'runs' });
    expect(parseRoute('#/runs/abc')).toEqual({ view: 'runs' });
    expect(parseRoute('#/compare?ids=1,x,-2,3')).toEqual({ view: 'compare', ids: [1, 3], group: null });
  });
});
