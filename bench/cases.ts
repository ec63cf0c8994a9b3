/**
 * The benchmark cases of `npm run bench`. Each case is one dataset + student architecture, measured
 * two ways: one student's forward+backward (the tensor engine alone), and one epoch of the full
 * method (every student takes its align-ahead step: the figure compared with the PyTorch peer).
 */
export interface BenchCase {
  name: string;
  /** dataset reference; `../shared` paths are skipped when absent */
  data: string;
  model: 'gcn' | 'gat';
  layers: number;
  hidden: number;
  heads: number;
  dropout: number;
  /** epochs of the full method to time (median over them, so the warm-up epoch does not count) */
  epochs: number;
  /** forward+backward repetitions (the first is warm-up) */
  repeats: number;
  /** the same case as a peer_torch.py command line (without --threads) */
  peerArgs: string[];
  /** why the peer is not run on this case (it would not fit this machine) */
  peerSkip?: string;
}

export const SHARED_CORA = new URL('../../shared/datasets/cora.npz', import.meta.url).pathname;

const GAT_PEER_FLAGS = ['--model', 'gat', '--layers', '2', '--heads', '3', '--hidden', '64', '--dropout', '0', '--strategy', 'alignahead'];

/** The GAT of the csbm targets (2 layers, 3 heads × 64, no dropout) on `data`; the peer times `peerEpochs` epochs. */
function gatCase(name: string, data: string, epochs: number, repeats: number, peerEpochs: number): BenchCase {
  return { name, data, model: 'gat', layers: 2, hidden: 64, heads: 3, dropout: 0, epochs, repeats, peerArgs: [data, ...GAT_PEER_FLAGS, '--epochs', String(peerEpochs)] };
}

export const BENCH_CASES: BenchCase[] = [
  {
    name: 'cora-gcn',
    data: SHARED_CORA,
    model: 'gcn',
    layers: 2,
    hidden: 64,
    heads: 1,
    dropout: 0.5,
    epochs: 11,
    repeats: 6,
    peerArgs: [SHARED_CORA, '--model', 'gcn', '--layers', '2', '--strategy', 'alignahead', '--epochs', '30'],
  },
  gatCase('cora-gat', SHARED_CORA, 6, 4, 10),
  gatCase('csbm10k-gat', 'csbm:10000:100000:5', 4, 3, 3),
  gatCase('csbm50k-gat', 'csbm:50000:1000000:5', 3, 2, 2),
  {
    ...gatCase('csbm200k-gat', 'csbm:200000:4000000:5', 3, 0, 2),
    peerSkip: 'the peer needs about 4× its 50k memory (~60 GB, see bench/README.md); ours alone is the claim',
  },
];

/** `npm run bench -- --scaling` sizes: the same GAT at 10 drawn edges per node (≈ 21 message edges per node) */
export const SCALING_NODES = [10_000, 25_000, 50_000, 100_000, 200_000];

/** The scaling series' case at `nodes` nodes: csbm:N:10N:5, the GAT of the csbm cases, no forward+backward repeats. */
export function scalingCase(nodes: number): BenchCase {
  return gatCase(`scaling-${nodes}`, `csbm:${nodes}:${10 * nodes}:5`, 3, 0, 1);
}

/** A named case, or a scaling case by its name (`scaling-NODES`). */
export function findCase(name: string): BenchCase | undefined {
  const scaling = /^scaling-(\d+)$/.exec(name);
  if (scaling) return scalingCase(Number(scaling[1]));
  return BENCH_CASES.find((c) => c.name === name);
}
