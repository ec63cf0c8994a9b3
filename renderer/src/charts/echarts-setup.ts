import { BarChart, HeatmapChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

// Only the chart types and components the workbench draws, to keep the bundle small. Canvas on
// screen; SVG for the paper-ready exports (charts/paper.ts).
echarts.use([LineChart, HeatmapChart, BarChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, VisualMapComponent, CanvasRenderer, SVGRenderer]);

export { echarts };
export type ChartOption = echarts.EChartsCoreOption;
export type ChartInstance = echarts.EChartsType;
