import { defineComponent, h, onBeforeUnmount, onMounted, ref, watch, type PropType } from 'vue';
import { echarts, type ChartInstance, type ChartOption } from '../charts/echarts-setup';

/**
 * A thin ECharts host: renders the option it is given (built by a pure function elsewhere),
 * follows its container's size, and batches option updates into one per animation frame so a
 * stream of epochs does not redraw more often than the screen refreshes.
 */
export default defineComponent({
  name: 'EChart',
  props: {
    option: { type: Object as PropType<ChartOption>, required: true },
    height: { type: String, default: '260px' },
    background: { type: String, default: '#ffffff' },
  },
  setup(props, { expose }) {
    const host = ref<HTMLDivElement | null>(null);
    let chart: ChartInstance | null = null;
    let frame = 0;
    let observer: ResizeObserver | null = null;

    const render = () => {
      frame = 0;
      chart?.setOption(props.option, { notMerge: true, lazyUpdate: false });
    };
    const schedule = () => {
      if (frame) return;
      frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(render) : (setTimeout(render, 16) as unknown as number);
    };

    onMounted(() => {
      if (!host.value) return;
      chart = echarts.init(host.value, undefined, { renderer: 'canvas' });
      render();
      if (typeof ResizeObserver === 'function') {
        observer = new ResizeObserver(() => chart?.resize());
        observer.observe(host.value);
      }
    });
    watch(() => props.option, schedule);
    onBeforeUnmount(() => {
      if (frame && typeof cancelAnimationFrame === 'function') cancelAnimationFrame(frame);
      observer?.disconnect();
      chart?.dispose();
      chart = null;
    });

    expose({
      /** PNG of the chart as drawn, at twice the screen resolution, on the theme's background */
      toPng: (): string | null => chart?.getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: props.background }) ?? null,
    });
    return () => h('div', { ref: host, class: 'echart', style: { height: props.height } });
  },
});
