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
  {
    name: 'cora-gat',
    data: SHARED_CORA,
    model: 'gat',
    layers: 2,
    hidden: 64,
    heads: 3,
    dropout: 0,
    epochs: 6,
    repeats: 4,
    peerArgs: [SHARED_CORA, '--model', 'gat', '--layers', '2', '--heads', '3', '--hidden', '64', '--dropout', '0', '--strategy', 'alignahead', '--epochs', '10'],
  },
  {
    name: 'csbm10k-gat',
    data: 'csbm:10000:100000:5',
    model: 'gat',
    layers: 2,
    hidden: 64,
    heads: 3,
    dropout: 0,
    epochs: 4,
    repeats: 3,
    peerArgs: ['csbm:10000:100000:5', '--model', 'gat', '--layers', '2', '--heads', '3', '--hidden', '64', '--dropout', '0', '--strategy', 'alignahead', '--epochs', '3'],
  },
  {
    name: 'csbm50k-gat',
    data: 'csbm:50000:1000000:5',
    model: 'gat',
    layers: 2,
    hidden: 64,
    heads: 3,
    dropout: 0,
    epochs: 3,
    repeats: 2,
    peerArgs: ['csbm:50000:1000000:5', '--model', 'gat', '--layers', '2', '--heads', '3', '--hidden', '64', '--dropout', '0', '--strategy', 'alignahead', '--epochs', '2'],
  },
  {
    name: 'csbm200k-gat',
    data: 'csbm:200000:4000000:5',
    model: 'gat',
    layers: 2,
    hidden: 64,
    heads: 3,
    dropout: 0,
    epochs: 3,
    repeats: 0,
    peerArgs: ['csbm:200000:4000000:5', '--model', 'gat', '--layers', '2', '--heads', '3', '--hidden', '64', '--dropout', '0', '--strategy', 'alignahead', '--epochs', '2'],
    peerSkip: 'the peer needs about 4× its 50k memory (~60 GB, see bench/README.md); ours alone is the claim',
  },
];

/** `npm run bench -- --scaling` sizes: the same GAT at 10 drawn edges per node (≈ 21 message edges per node) */
export const SCALING_NODES = [10_000, 25_000, 50_000, 100_000, 200_000];

const GAT_PEER_FLAGS = ['--model', 'gat', '--layers', '2', '--heads', '3', '--hidden', '64', '--dropout', '0', '--strategy', 'alignahead'];

/** The scaling series' case at `nodes` nodes: csbm:N:10N:5, the GAT of the csbm cases, no forward+backward repeats. */
export function scalingCase(nodes: number): BenchCase {
  const data = `csbm:${nodes}:${10 * nodes}:5`;
  return {
    name: `scaling-${nodes}`,
    data,
    model: 'gat',
    layers: 2,
    hidden: 64,
    heads: 3,
    dropout: 0,
    epochs: 3,
    repeats: 0,
    peerArgs: [data, ...GAT_PEER_FLAGS, '--epochs', '1'],
  };
}

/** A named case, or a scaling case by its name (`scaling-NODES`). */
export function findCase(name: string): BenchCase | undefined {
  const scaling = /^scaling-(\d+)$/.exec(name);
  if (scaling) return scalingCase(Number(scaling[1]));
  return BENCH_CASES.find((c) => c.name === name);
}

