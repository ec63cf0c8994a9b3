import type { Task } from '../../contract/api';

/**
 * The public datasets the workbench knows by name. The gnn-benchmark `.npz` files live in the
 * `data/npz/` folder of the shchur/gnn-benchmark repository (committed once, 2018-12-03, never
 * changed since); PPI is DGL's zip of the GraphSAGE files. `demo` is synthetic and needs no download.
 *
 * Sizes and SHA-256s are exact and were taken from the files themselves, never estimated:
 *   cora, citeseer        hashed from the gnn-benchmark repository's own blobs;
 *   amazon-*, coauthor-*  the Git LFS pointers of a byte-for-byte copy of those files (D61-IA/FisherGCN,
 *                         data/); coauthor-cs and amazon-photo are confirmed by independent manifests
 *                         that name the same hash for the gnn-benchmark file;
 *   ppi                   the checksum GraphMLDatasets.jl pins for data.dgl.ai/dataset/ppi.zip, with the
 *                         size from an independent manifest of the same file.
 * PubMed's file could not be read anywhere, so it has neither: its hash is recorded at the first
 * download and later downloads are compared with it (download.ts).
 */

export type CatalogFormat = 'npz' | 'ppi' | 'spec';

export interface CatalogEntry {
  /** the name used on the command line and in run configs */
  readonly name: string;
  readonly title: string;
  readonly task: Task;
  readonly format: CatalogFormat;
  /** where it is downloaded from; null for synthetic entries */
  readonly url: string | null;
  /** sha256 of the downloaded file when published; unknown hashes are recorded on first download */
  readonly sha256: string | null;
  /** exact size of the downloaded file in bytes, when published */
  readonly bytes: number | null;
  readonly citation: string;
  /** generator spec of a synthetic entry */
  readonly spec?: string;
}

const GNN_BENCHMARK = 'https://github.com/shchur/gnn-benchmark/raw/master/data/npz';
const SHCHUR = 'Shchur et al., "Pitfalls of Graph Neural Network Evaluation", NeurIPS R2L workshop 2018';

/**
 * The embedded demo: a CSBM noisy enough (noise 10, homophily 0.5) that one GCN reaches only about
 * 0.7 test accuracy, so there is room for distillation to show; the peer's defaults are separable
 * from features alone.
 */
export const DEMO_SPEC = 'csbm:3000:15000:6:64:noise=10:homophily=0.5';

/** A gnn-benchmark node-classification file: multiclass, `.npz`, cited with Shchur et al. after its source. */
function gnnBenchmark(
  name: string,
  title: string,
  file: string,
  sha256: string | null,
  bytes: number | null,
  source: string,
): CatalogEntry {
  return { name, title, task: 'multiclass', format: 'npz', url: `${GNN_BENCHMARK}/${file}`, sha256, bytes, citation: `${source}; ${SHCHUR}` };
}

const MCAULEY = 'McAuley et al., "Image-based Recommendations on Styles and Substitutes", SIGIR 2015';
const MICROSOFT_ACADEMIC = 'Microsoft Academic Graph, KDD Cup 2016';

export const CATALOG: readonly CatalogEntry[] = [
  gnnBenchmark(
    'cora',
    'Cora citation graph',
    'cora.npz',
    '068e22d90c3849b4057dfb05851741428992af058efcd4e7ebb4186f3d581de2',
    540_580,
    'McCallum et al., "Automating the Construction of Internet Portals with Machine Learning", Information Retrieval 2000',
  ),
  gnnBenchmark(
    'citeseer',
    'CiteSeer citation graph',
    'citeseer.npz',
    '280278b21b434c047922e8389518861416fb3ad39389c27865ff0e6bbb0aaab7',
    1_348_784,
    'Sen et al., "Collective Classification in Network Data", AI Magazine 2008',
  ),
  gnnBenchmark(
    'pubmed',
    'PubMed diabetes citation graph',
    'pubmed.npz',
    null,
    null,
    'Namata et al., "Query-driven Active Surveying for Collective Classification", MLG workshop 2012',
  ),
  gnnBenchmark(
    'amazon-computers',
    'Amazon Computers co-purchase graph',
    'amazon_electronics_computers.npz',
    '736ba1d9fd85eac2da83a5ad25c463f04b0031a6ca01563f90a7099d9e8ffb2c',
    31_921_488,
    MCAULEY,
  ),
  gnnBenchmark(
    'amazon-photo',
    'Amazon Photo co-purchase graph',
    'amazon_electronics_photo.npz',
    'bdb1feb8e6ff42ee44024b04479145029c563fd42fc31bff80af20887ba0439a',
    17_113_960,
    MCAULEY,
  ),
  gnnBenchmark(
    'coauthor-cs',
    'Coauthor CS (Microsoft Academic Graph)',
    'ms_academic_cs.npz',
    '933c745734e78908c7eb77172a673fee0503f30e26e5a99b36814d88534c42e3',
    12_835_626,
    MICROSOFT_ACADEMIC,
  ),
  gnnBenchmark(
    'coauthor-physics',
    'Coauthor Physics (Microsoft Academic Graph)',
    'ms_academic_phy.npz',
    'e4d68468eba5fb8f6b280ffd406bd53e6e4295ba1dd2967d6fe99b978e4b3375',
    16_374_005,
    MICROSOFT_ACADEMIC,
  ),
  {
    name: 'ppi',
    title: 'Protein-protein interaction graphs (24 tissues, multi-label)',
    task: 'multilabel',
    format: 'ppi',
    url: 'https://data.dgl.ai/dataset/ppi.zip',
    sha256: '1f5b2b09ac0f897fa6aa1338c64ab75a5473674cbba89380120bede8cddb2a6a',
    bytes: 7_088_822,
    citation:
      'Zitnik & Leskovec, "Predicting Multicellular Function through Multi-layer Tissue Networks", Bioinformatics 2017; ' +
      'Hamilton et al., "Inductive Representation Learning on Large Graphs", NeurIPS 2017',
  },
  {
    name: 'demo',
    title: 'Synthetic demo graph (contextual stochastic block model, no download)',
    task: 'multiclass',
    format: 'spec',
    url: null,
    sha256: null,
    bytes: null,
    citation: 'Deshpande et al., "Contextual Stochastic Block Models", NeurIPS 2018',
    spec: DEMO_SPEC,
  },
];

export function findCatalogEntry(name: string): CatalogEntry | undefined {
  return CATALOG.find((entry) => entry.name === name);
}

/** The file name a download is served under (the last part of its URL). */
export function remoteFileName(entry: CatalogEntry): string {
  if (!entry.url) throw new Error(`catalog entry '${entry.name}' has no URL`);
  return entry.url.slice(entry.url.lastIndexOf('/') + 1);
}
