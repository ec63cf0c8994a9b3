/**
 * A tiny hash router: the address holds the view and its arguments, so a reload or a shared link
 * lands on the same view. Pure parse/format functions plus one reactive `route` in useRouter.
 */

export type Route =
  | { view: 'runs' }
  | { view: 'new'; from: number | null; data?: string | null }
  | { view: 'run'; id: number }
  | { view: 'compare'; ids: number[]; group: string | null }
  | { view: 'heatmaps'; left: number | null; right: number | null }
  | { view: 'datasets' };

function parseIds(text: string | null): number[] {
  if (!text) return [];
  return text
    .split(',')
    .map((s) => Number(s))
    .filter((n) => Number.isInteger(n) && n > 0);
}

function parseId(text: string | null): number | null {
  const n = Number(text);
  return text && Number.isInteger(n) && n > 0 ? n : null;
}

export function parseRoute(hash: string): Route {
  const raw = hash.replace(/^#/, '');
  const [path, queryText = ''] = raw.split('?');
  const query = new URLSearchParams(queryText);
  const parts = path.split('/').filter(Boolean);
  switch (parts[0]) {
    case 'new':
      return { view: 'new', from: parseId(query.get('from')), data: query.get('data') };
    case 'runs': {
      const id = parseId(parts[1] ?? null);
      return id === null ? { view: 'runs' } : { view: 'run', id };
    }
    case 'compare':
      return { view: 'compare', ids: parseIds(query.get('ids')), group: query.get('group') };
    case 'heatmaps':
      return { view: 'heatmaps', left: parseId(query.get('left')), right: parseId(query.get('right')) };
    case 'datasets':
      return { view: 'datasets' };
    default:
      return { view: 'runs' };
  }
}

export function formatRoute(route: Route): string {
  switch (route.view) {
    case 'runs':
      return '#/runs';
    case 'new':
    {
      const query = new URLSearchParams();
      if (route.from) query.set('from', String(route.from));
      if (route.data) query.set('data', route.data);
      const text = query.toString();
      return text ? `#/new?${text}` : '#/new';
    }
    case 'run':
      return `#/runs/${route.id}`;
    case 'compare': {
      const query = new URLSearchParams();
      if (route.ids.length) query.set('ids', route.ids.join(','));
      if (route.group) query.set('group', route.group);
      const text = query.toString().replace(/%2C/g, ',');
      return text ? `#/compare?${text}` : '#/compare';
    }
    case 'heatmaps': {
      const query = new URLSearchParams();
      if (route.left) query.set('left', String(route.left));
      if (route.right) query.set('right', String(route.right));
      const text = query.toString();
      return text ? `#/heatmaps?${text}` : '#/heatmaps';
    }
    case 'datasets':
      return '#/datasets';
  }
}
