import { defineComponent, h, type PropType } from 'vue';
import type { XMode } from '../charts/series';

export interface CurveSettings {
  xMode: XMode;
  logY: boolean;
  smoothing: number;
}

/** x axis (epoch / wall time), log scale and EMA smoothing for a set of curve charts. */
export default defineComponent({
  name: 'CurveControls',
  props: {
    modelValue: { type: Object as PropType<CurveSettings>, required: true },
  },
  emits: ['update:modelValue'],
  setup(props, { emit }) {
    const update = (patch: Partial<CurveSettings>) => emit('update:modelValue', { ...props.modelValue, ...patch });
    return () =>
      h('div', { class: 'curve-controls' }, [
        h('label', { class: 'inline' }, [
          'x ',
          h(
            'select',
            { 'aria-label': 'x axis', value: props.modelValue.xMode, onChange: (e: Event) => update({ xMode: (e.target as HTMLSelectElement).value as XMode }) },
            [h('option', { value: 'epoch' }, 'epoch'), h('option', { value: 'time' }, 'wall time')],
          ),
        ]),
        h('label', { class: 'inline' }, [h('input', { type: 'checkbox', checked: props.modelValue.logY, onChange: (e: Event) => update({ logY: (e.target as HTMLInputElement).checked }) }), ' log y']),
        h('label', { class: 'inline', title: 'exponential moving average weight' }, [
          'smoothing ',
          h('input', {
            type: 'range',
            'aria-label': 'smoothing',
            min: 0,
            max: 0.99,
            step: 0.01,
            value: props.modelValue.smoothing,
            onInput: (e: Event) => update({ smoothing: Number((e.target as HTMLInputElement).value) }),
          }),
          h('span', { class: 'mono' }, props.modelValue.smoothing.toFixed(2)),
        ]),
      ]);
  },
});
