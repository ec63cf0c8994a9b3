import { UserError } from '../errors';

/**
 * Row-normalises bag-of-words features in place, as the gnn-benchmark protocol does: each row is
 * divided by max(row sum, 1), the rule of PyG's NormalizeFeatures and of the Python peer. For count
 * features this makes every non-empty row sum to 1; rows summing to 0 stay 0, and a row that sums
 * below 1 (or negative) is never scaled up or sign-flipped.
 */
export function rowNormalise(features: Float32Array, numNodes: number, numFeatures: number): void {
  if (features.length !== numNodes * numFeatures) {
    throw new UserError(
      `features: ${features.length} values do not form ${numNodes} rows of ${numFeatures} features`,
    );
  }
  for (let row = 0; row < numNodes; row++) {
    const start = row * numFeatures;
    let sum = 0;
    for (let f = 0; f < numFeatures; f++) sum += features[start + f];
    if (sum <= 1) continue;
    for (let f = 0; f < numFeatures; f++) features[start + f] /= sum;
  }
}
