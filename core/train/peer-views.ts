import * as tf from '@tensorflow/tfjs';
import { disposeTargets, type PeerStructureTargets } from '../distill/local-structure';
import type { StudentOutput } from '../models/types';
import type { GraphBatch } from './training-data';

/** What a student's step reads from one peer on one batch: its forward pass and its structure targets. */
export interface PeerView {
  output: StudentOutput;
  /** null when the step needs no structure targets */
  targets: PeerStructureTargets | null;
}

/**
 * Peer forward passes and targets, computed once per peer parameter version and batch. In eval
 * mode a peer's view is a pure function of its weights and the batch, so every student stepping
 * before that peer's next update reads the same view: with K students that is one forward per peer
 * per update instead of K − 1, and a fixed teacher's view is computed once per batch for the whole
 * run. Train-mode peers draw dropout masks, so their views are never reused (`reusable` false).
 *
 * Views are owned here: a step must not dispose them. invalidate(source) after source's weights
 * change; clear() when every view goes stale, and at the end of training.
 */
export class PeerViews {
  private readonly views = new Map<number, Map<GraphBatch, PeerView>>();
  private transient: PeerView[] = [];

  constructor(private readonly reusable: boolean) {}

  /** The view of peer `source` on `batch`, from `compute` (called inside the caller's tidy) when not held. */
  get(source: number, batch: GraphBatch, compute: () => PeerView): PeerView {
    const held = this.views.get(source)?.get(batch);
    if (held) return held;
    const view = compute();
    keep(view);
    if (this.reusable) {
      if (!this.views.has(source)) this.views.set(source, new Map());
      this.views.get(source)!.set(batch, view);
    } else {
      this.transient.push(view);
    }
    return view;
  }

  /** Drops the views of `source` (its weights changed) and every view that was not reusable. */
  invalidate(source: number): void {
    for (const view of this.views.get(source)?.values() ?? []) release(view);
    this.views.delete(source);
    this.transient.forEach(release);
    this.transient = [];
  }

  /**
   * Drops every view: when the peers' kernels change (τ auto refreshes them), after a step on a
   * batch that will not come back (redrawn batches), and at the end of training.
   */
  clear(): void {
    for (const source of [...this.views.keys()]) this.invalidate(source);
    this.transient.forEach(release);
    this.transient = [];
  }
}

function keep(view: PeerView): void {
  tf.keep(view.output.logits);
  view.output.hidden.forEach((h) => tf.keep(h));
  for (const { logProbs, probs } of view.targets?.values() ?? []) {
    tf.keep(logProbs);
    tf.keep(probs);
  }
}

function release(view: PeerView): void {
  tf.dispose([view.output.logits, ...view.output.hidden]);
  if (view.targets) disposeTargets(view.targets);
}
