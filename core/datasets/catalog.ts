import type { Task } from '../../contract/api';

/**
 * The public datasets the workbench knows by name. The gnn-benchmark `.npz` files live in the
 * `data/npz/` folder of the shchur/gnn-benchmark repository; PPI is DGL's zip of the GraphSAGE files.
 * `demo` is synthetic and needs no download.
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
  /** sha256 of the downloaded file when known; unknown hashes are recorded on first download */
  readonly sha256: string | null;
  /** approximate download size, for display */
  readonly sizeHint: string;
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

export const CATALOG: readonly CatalogEntry[] = [
  {
    name: 'cora',
    title: 'Cora citation graph',
    task: 'multiclass',
    format: 'npz',
    url: `${GNN_BENCHMARK}/cora.npz`,
    sha256: '068e22d90c3849b4057dfb05851741428992af058efcd4e7ebb4186f3d581de2',
    sizeHint: '0.5 MB',
    citation: `McCallum et al., "Automating the Construction of Internet Portals with Machine Learning", Information Retrieval 2000; ${SHCHUR}`,
  },
  {
    name: 'citeseer',
    title: 'CiteSeer citation graph',
    task: 'multiclass',
    format: 'npz',
    url: `${GNN_BENCHMARK}/citeseer.npz`,
    sha256: null,
    sizeHint: 'about 1 MB',
    citation: `Sen et al., "Collective Classification in Network Data", AI Magazine 2008; ${SHCHUR}`,
  },
  {
    name: 'pubmed',
    title: 'PubMed diabetes citation graph',
    task: 'multiclass',
    format: 'npz',
    url: `${GNN_BENCHMARK}/pubmed.npz`,
    sha256: null,
    sizeHint: 'a few MB',
    citation: `Namata et al., "Query-driven Active Surveying for Collective Classification", MLG workshop 2012; ${SHCHUR}`,
  },
  {
    name: 'amazon-computers',
    title: 'Amazon Computers co-purchase graph',
    task: 'multiclass',
    format: 'npz',
    url: `${GNN_BENCHMARK}/amazon_electronics_computers.npz`,
    sha256: null,
    sizeHint: 'a few MB',
    citation: `McAuley et al., "Image-based Recommendations on Styles and Substitutes", SIGIR 2015; ${SHCHUR}`,
  },
  {
    name: 'amazon-photo',
    title: 'Amazon Photo co-purchase graph',
    task: 'multiclass',
    format: 'npz',
    url: `${GNN_BENCHMARK}/amazon_electronics_photo.npz`,
    sha256: null,
    sizeHint: 'a few MB',
    citation: `McAuley et al., "Image-based Recommendations on Styles and Substitutes", SIGIR 2015; ${SHCHUR}`,
  },
  {
    name: 'coauthor-cs',
    title: 'Coauthor CS (Microsoft Academic Graph)',
    task: 'multiclass',
    format: 'npz',
    url: `${GNN_BENCHMARK}/ms_academic_cs.npz`,
    sha256: null,
    sizeHint: 'tens of MB',
    citation: `Microsoft Academic Graph, KDD Cup 2016; ${SHCHUR}`,
  },
  {
    name: 'coauthor-physics',
    title: 'Coauthor Physics (Microsoft Academic Graph)',
    task: 'multiclass',
    format: 'npz',
    url: `${GNN_BENCHMARK}/ms_academic_phy.npz`,
    sha256: null,
    sizeHint: 'tens of MB',
    citation: `Microsoft Academic Graph, KDD Cup 2016; ${SHCHUR}`,
  },
  {
    name: 'ppi',
    title: 'Protein-protein interaction graphs (24 tissues, multi-label)',
    task: 'multilabel',
    format: 'ppi',
    url: 'https://data.dgl.ai/dataset/ppi.zip',
    sha256: null,
    sizeHint: 'tens of MB or more',
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
    sizeHint: 'generated',
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
