import { defineComponent, h, type PropType } from 'vue';

/** Loading, error and empty states in one place; renders its slot only when there is something to show. */
export default defineComponent({
  name: 'StateView',
  props: {
    loading: { type: Boolean, default: false },
    error: { type: String as PropType<string | null>, default: null },
    empty: { type: Boolean, default: false },
    emptyText: { type: String, default: 'Nothing here yet.' },
    retry: { type: Function as PropType<(() => unknown) | null>, default: null },
  },
  setup(props, { slots }) {
    return () => {
      if (props.error)
        return h('div', { class: 'state error', role: 'alert' }, [
          h('strong', 'Error: '),
          h('span', { class: 'error-message' }, props.error),
          props.retry ? h('button', { class: 'small', onClick: () => props.retry?.() }, 'Retry') : null,
        ]);
      if (props.loading && props.empty) return h('div', { class: 'state loading' }, [h('span', { class: 'spinner' }), 'Loading…']);
      if (props.empty) return h('div', { class: 'state empty' }, slots.empty?.() ?? props.emptyText);
      return slots.default?.();
    };
  },
});
