/**
 * Test fixture for store-kill.test.ts: trains nothing, but writes to the store the way a trainer
 * does — epoch metrics, a heatmap set and a checkpoint per epoch — until it is killed.
 * usage: node bin/run-ts.js core/store/testing/epoch-writer.ts DB_FILE STUDENTS
 */
import { openStore } from '../store';

const [path, studentsArg] = process.argv.slice(2);
const numStudents = Number(studentsArg);
const store = openStore(path);
const run = store.createRun({ config: { fixture: true }, dataset: 'none', model: 'gcn', strategy: 'alignahead', numStudents, numLayers: 4, seed: 1 });
store.setStatus(run.id, 'running');

// A safety stop, should the test that kills it die first.
const deadline = Date.now() + 60_000;
for (let epoch = 1; Date.now() < deadline; epoch++) {
  store.recordEpoch(
    run.id,
    Array.from({ length: numStudents }, (_, student) => ({
      epoch,
      student, taskLoss: 1 / epoch, distillLoss: 0.5 / epoch, trainMetric: 0.5, valMetric: epoch, testMetric: null, epochMs: 1, elapsedMs: epoch,
    })),
  );
  const matrices = [];
  for (let student = 0; student < numStudents; student++) {
    for (let peer = 0; peer < numStudents; peer++) {
      if (peer !== student) matrices.push({ epoch, student, peer, rows: 4, cols: 4, data: new Float32Array(16).fill(epoch) });
    }
  }
  store.recordAlignment(run.id, matrices);
  // big enough that the kill often lands inside a write
  store.saveCheckpoint(run.id, epoch, new Uint8Array(256 * 1024).fill(epoch % 256));
  process.stdout.write(`epoch ${epoch}\n`);
}
store.close();
