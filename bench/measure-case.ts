/**
 * Measures one benchmark case in this process and prints one JSON line. Run by bench/run.ts in a
 * fresh child process per case, so that peak RSS belongs to the case alone.
 *   node bin/run-ts.js bench/measure-case.ts CASE_NAME [--backend wasm|cpu|...]
 */
import * as tf from '@tensorflow/tfjs';
import { runConfigSchema } from '../contract/run-config';
import { loadDataset } from '../core/datasets/load';
import { createStudent } from '../core/models/student';
import { Rng } from '../core/random';
import { getGraphOps, initBackend, type BackendPreference } from '../core/tensor/backend';
import { kernelThreadCount, splitKernelCalls } from '../core/tensor/parallel/kernel-threads';
import { bufferScope } from '../core/tensor/parallel/shared-buffers';
import { median } from '../contract/stats';
import { trainStudents } from '../core/train/trainer';
import { prepareTrainingData } from '../core/train/training-data';
import { kernelProfiling, memoryProfiling, takeKernelProfile } from '../core/tensor/multicore/kernel-profile';
import { peakBreakdown, poolUsage } from '../core/tensor/multicore/pool';
import { arenaUsage } from '../core/tensor/wasm/arena';
import { outgoingView, reverseEdges } from '../core/graph/views';
import { BENCH_CASES, findCase } from './cases';

const [name, ...rest] = process.argv.slice(2);
const benchCase = findCase(name);
if (!benchCase) {
  console.error(`unknown case '${name}'; cases: ${BENCH_CASES.map((c) => c.name).join(', ')}`);
  process.exit(2);
}
const backendFlag = rest.indexOf('--backend');
const prefer = (backendFlag >= 0 ? rest[backendFlag + 1] : 'auto') as BackendPreference;

const backend = await initBackend({ prefer });
const dataset = await loadDataset(benchCase.data, {});
const config = runConfigSchema.parse({
  data: benchCase.data,
  model: benchCase.model,
  layers: benchCase.layers,
  hidden: benchCase.hidden,
  heads: benchCase.heads,
  dropout: benchCase.dropout,
  strategy: 'alignahead',
  students: 2,
  epochs: benchCase.epochs,
  evalEvery: 100_000,
  heatmapEvery: 0,
  checkpointEvery: 0,
});
const data = prepareTrainingData(dataset, config, new Rng(0).fork('split'));
const batch = data.trainBatches[0];

// One student's forward + backward of a plain loss: the tensor engine alone.
const student = createStudent(
  { model: config.model, inFeatures: data.numFeatures, numClasses: data.numClasses, layers: config.layers, hidden: config.hidden, heads: config.heads, dropout: config.dropout },
  getGraphOps(),
  new Rng(1),
);
const rng = new Rng(2);
const fwdBwd: number[] = [];
for (let i = 0; i < benchCase.repeats; i++) {
  const started = performance.now();
  // as the trainer does: the kernels' shared buffers are recycled after each step
  bufferScope(() => {
    const { value, grads } = tf.variableGrads(
      () => student.forward(batch.graph, batch.features, { training: true, rng }).logits.square().mean() as tf.Scalar,
      student.trainableVariables(),
    );
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  });
  if (i > 0) fwdBwd.push(performance.now() - started);
}
student.dispose();

if (kernelProfiling()) takeKernelProfile();
// The full method: every student takes its align-ahead step (evaluation excluded).
// CPU time per epoch (all threads, median like the wall time): steadier than wall time on a shared machine
const epochCpuMs: number[] = [];
let cpuMark = process.cpuUsage();
const outcome = await trainStudents({
  config,
  data,
  ops: getGraphOps(),
  onEvent: (event) => {
    if (event.type !== 'epoch') return;
    const used = process.cpuUsage(cpuMark);
    epochCpuMs.push((used.user + used.system) / 1000);
    cpuMark = process.cpuUsage();
  },
});
const epochTimes = outcome.epochMsMedian;
data.dispose();
if (memoryProfiling()) printMemoryAtPeak();
if (kernelProfiling()) {
  for (const row of takeKernelProfile().slice(0, 25)) console.error(`${row.ms.toFixed(0).padStart(8)} ms ${String(row.calls).padStart(6)} calls  ${row.name}`);
}

console.log(
  JSON.stringify({
    case: benchCase.name,
    backend: backend.backend,
    graphOps: backend.graphOps,
    threads: backend.threads,
    kernelThreads: backend.kernelThreads,
    // threads still running at the end (a stalled thread is dropped) and kernel calls they shared
    kernelThreadsAtEnd: kernelThreadCount(),
    splitKernelCalls: splitKernelCalls(),
    nodes: batch.graph.numNodes,
    edges: batch.graph.sources.length,
    fwdBwdMsMedian: Number(median(fwdBwd).toFixed(1)),
    epochMsMedian: Number(epochTimes.toFixed(1)),
    epochCpuMsMedian: Math.round(median(epochCpuMs)),
    peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  }),
);

/** Where the bytes go at the peak of pooled tensor storage (ALIGNAHEAD_MEMORY_PROFILE=1), to stderr. */
function printMemoryAtPeak(): void {
  const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MB`.padStart(9);
  const { graph } = batch;
  const out = outgoingView(graph);
  const pairs = reverseEdges(graph);
  const graphBytes = graph.offsets.byteLength + graph.sources.byteLength + out.offsets.byteLength + out.targets.byteLength + out.edgeIds.byteLength + (pairs ? pairs.reverse.byteLength + pairs.lowerEnds.byteLength : 0);
  const lines = [
    `peak RSS ${mb(process.resourceUsage().maxRSS * 1024)}`,
    `tensors in pooled storage at their peak ${mb(poolUsage().peakLiveBytes)}, by kernel and shape:`,
    ...peakBreakdown()
      .slice(0, 20)
      .map((g) => `  ${mb(g.bytes)}  ${String(g.count).padStart(3)} × ${g.label}`),
    `graph structure (by destination, by source, reverse pairs) ${mb(graphBytes)}`,
    `input features ${mb(batch.features.size * 4)}`,
    `kernel working memory (WASM, reserved) ${mb(arenaUsage().reservedBytes)}`,
  ];
  console.error(lines.join('\n'));
}

