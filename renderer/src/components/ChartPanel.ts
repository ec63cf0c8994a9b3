import type { ChartOption } from '../charts/echarts-setup';
import { defineComponent, h, ref, type PropType } from 'vue';
import { downloadText, downloadUrl, slug } from '../download';
import { useTheme } from '../composables/useTheme';
import EChart from './EChart';

/** A titled chart with PNG and CSV export; controls for the chart go in the default slot. */
export default defineComponent({
  name: 'ChartPanel',
  props: {
    title: { type: String, required: true },
    option: { type: Object as PropType<ChartOption>, required: true },
    /** the data behind the chart, as CSV */
    csv: { type: Function as PropType<() => string>, required: true },
    height: { type: String, default: '260px' },
    empty: { type: String, default: '' },
  },
  setup(props, { slots }) {
    const chart = ref<{ toPng: () => string | null } | null>(null);
    const { palette } = useTheme();
    const exportPng = () => {
      const url = chart.value?.toPng();
      if (url) downloadUrl(`${slug(props.title)}.png`, url);
    };
    const exportCsv = () => downloadText(`${slug(props.title)}.csv`, 'text/csv', props.csv());
    return () =>
      h('section', { class: 'panel chart-panel' }, [
        h('header', { class: 'panel-head' }, [
          h('h3', props.title),
          h('div', { class: 'panel-tools' }, [
            slots.default?.(),
            h('button', { class: 'ghost small', title: 'Save the chart as PNG', onClick: exportPng, disabled: !!props.empty }, 'PNG'),
            h('button', { class: 'ghost small', title: 'Save the data as CSV', onClick: exportCsv, disabled: !!props.empty }, 'CSV'),
          ]),
        ]),
        props.empty
          ? h('div', { class: 'state empty', style: { height: props.height } }, props.empty)
          : h(EChart, { ref: chart, option: props.option, height: props.height, background: palette.value.background }),
      ]);
  },
});
