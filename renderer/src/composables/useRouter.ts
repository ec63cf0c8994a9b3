import { onMounted, onUnmounted, ref } from 'vue';
import { formatRoute, parseRoute, type Route } from '../router';

/** The current route, following the address bar's hash; navigate() writes it. */
export function useRouter() {
  const route = ref<Route>(parseRoute(window.location.hash));
  const onHashChange = () => (route.value = parseRoute(window.location.hash));
  onMounted(() => window.addEventListener('hashchange', onHashChange));
  onUnmounted(() => window.removeEventListener('hashchange', onHashChange));
  function navigate(next: Route): void {
    const hash = formatRoute(next);
    if (window.location.hash !== hash) window.location.hash = hash;
    route.value = parseRoute(hash);
  }
  return { route, navigate };
}
