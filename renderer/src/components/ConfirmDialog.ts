import { defineComponent, h, nextTick, onMounted, ref } from 'vue';

/** A modal yes/no question; Enter confirms, Escape cancels. */
export default defineComponent({
  name: 'ConfirmDialog',
  props: {
    title: { type: String, required: true },
    message: { type: String, required: true },
    confirmLabel: { type: String, default: 'Confirm' },
    danger: { type: Boolean, default: false },
  },
  emits: ['confirm', 'cancel'],
  setup(props, { emit, slots }) {
    const confirmButton = ref<HTMLButtonElement | null>(null);
    onMounted(() => nextTick(() => confirmButton.value?.focus()));
    return () =>
      h('div', { class: 'overlay', onClick: (e: MouseEvent) => e.target === e.currentTarget && emit('cancel'), onKeydown: (e: KeyboardEvent) => e.key === 'Escape' && emit('cancel') }, [
        h('div', { class: 'dialog', role: 'dialog', 'aria-modal': 'true', 'aria-label': props.title }, [
          h('h3', props.title),
          h('p', props.message),
          slots.default?.(),
          h('div', { class: 'dialog-actions' }, [
            h('button', { class: 'ghost', onClick: () => emit('cancel') }, 'Cancel'),
            h('button', { ref: confirmButton, class: props.danger ? 'danger' : 'primary', 'data-test': 'confirm', onClick: () => emit('confirm') }, props.confirmLabel),
          ]),
        ]),
      ]);
  },
});
