import { createRouter, createWebHashHistory, useRouter, type LocationQuery, type RouteLocationRaw, type RouterHistory } from 'vue-router';
import CompareView from './views/CompareView.vue';
import DatasetsView from './views/DatasetsView.vue';
import HeatmapsView from './views/HeatmapsView.vue';
import NewExperimentView from './views/NewExperimentView.vue';
import RunsView from './views/RunsView.vue';
import RunView from './views/RunView.vue';
import WorkersView from './views/WorkersView.vue';

/**
 * The views and their deep links. The address holds the view and its arguments (in the hash, so
 * the same build works from a file in Electron and from `serve`), and a reload or a shared link
 * lands on the same view: #/runs, #/runs/12, #/new?from=7&data=cora, #/compare?ids=1,2,3&group=g,
 * #/heatmaps?left=4&right=9, #/datasets, #/workers. Anything else opens the runs.
 */

/** A place in the app with its arguments, typed: what views navigate to. */
export type Route =
  | { view: 'runs' }
  | { view: 'new'; from: number | null; data?: string | null }
  | { view: 'run'; id: number }
  | { view: 'compare'; ids: number[]; group: string | null }
  | { view: 'heatmaps'; left: number | null; right: number | null }
  | { view: 'datasets' }
  | { view: 'workers' };

declare module 'vue-router' {
  interface RouteMeta {
    /** the view's arguments define all of it: a new address mounts it afresh */
    remount?: boolean;
  }
}

function text(query: LocationQuery, key: string): string | null {
  const value = query[key];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

function positiveId(value: string | null): number | null {
  const n = Number(value);
  return value && Number.isInteger(n) && n > 0 ? n : null;
}

function idList(value: string | null): number[] {
  return (value ?? '').split(',').map(positiveId).filter((n): n is number => n !== null);
}

/** The query of a link: empty arguments stay out of the address. */
function query(values: Record<string, string | number | null | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).flatMap(([k, v]) => (v === null || v === undefined || v === '' ? [] : [[k, String(v)]])));
}

/** Where a typed route lives in the address (the inverse of each record's `props` below). */
export function routeLocation(route: Route): RouteLocationRaw {
  switch (route.view) {
    case 'run':
      return { name: 'run', params: { id: route.id } };
    case 'new':
      return { name: 'new', query: query({ from: route.from, data: route.data }) };
    case 'compare':
      return { name: 'compare', query: query({ ids: route.ids.join(','), group: route.group }) };
    case 'heatmaps':
      return { name: 'heatmaps', query: query({ left: route.left, right: route.right }) };
    default:
      return { name: route.view };
  }
}

export function createAppRouter(history: RouterHistory = createWebHashHistory()) {
  return createRouter({
    history,
    routes: [
      { path: '/runs', name: 'runs', component: RunsView },
      { path: '/runs/:id([1-9]\\d*)', name: 'run', component: RunView, props: (r) => ({ id: Number(r.params.id) }), meta: { remount: true } },
      {
        path: '/new',
        name: 'new',
        component: NewExperimentView,
        props: (r) => ({ from: positiveId(text(r.query, 'from')), data: text(r.query, 'data') }),
        meta: { remount: true },
      },
      { path: '/compare', name: 'compare', component: CompareView, props: (r) => ({ ids: idList(text(r.query, 'ids')), group: text(r.query, 'group') }) },
      { path: '/heatmaps', name: 'heatmaps', component: HeatmapsView, props: (r) => ({ left: positiveId(text(r.query, 'left')), right: positiveId(text(r.query, 'right')) }) },
      { path: '/datasets', name: 'datasets', component: DatasetsView },
      { path: '/workers', name: 'workers', component: WorkersView },
      { path: '/:unknown(.*)*', redirect: '/runs' },
    ],
  });
}

/** navigate({ view: 'run', id: 3 }): a typed router.push. */
export function useNavigate() {
  const router = useRouter();
  return (route: Route) => router.push(routeLocation(route));
}
