// Message-passing kernels in WASM SIMD: weighted neighbour aggregation (SpMM, and its gradient wrt
// the features) and per-edge, per-head dot products (SDDMM, SpMM's gradient wrt the weights).
//
// The row view (see core/tensor/kernels/adjacency.ts): row r owns the slots offsets[r] ..
// offsets[r+1]; a slot names a neighbour row and an edge id (the slot itself when edge_ids is 0, the
// by-destination view; edge_ids[slot] in the by-source view). Each call computes rows [r0, r1) and
// writes every element of those output rows. Sums are float32, in slot order per row.

#include "simd.h"

// weight of a slot's edge for head h: 1 without weights
static inline float slot_weight(const float* weights, const int32_t* edge_ids, int slot, int heads, int h) {
  if (weights == 0) return 1.0f;
  int edge = edge_ids == 0 ? slot : edge_ids[slot];
  return weights[(long)edge * heads + h];
}

// out[r, f0..f1) = Σ_slots w(slot, h) · x[neighbour(slot), f0..f1) for one head's block of columns.
// Sixteen columns at a time keep four accumulators in registers while the row's slots stream by.
static void aggregate_columns(const int32_t* neighbours, const int32_t* edge_ids, int start, int end, const float* x, int features,
                              const float* weights, int heads, int h, float* out_row, int f0, int f1) {
  int f = f0;
  for (; f + 16 <= f1; f += 16) {
    v128_t a0 = zero(), a1 = zero(), a2 = zero(), a3 = zero();
    for (int s = start; s < end; s++) {
      const float* xr = x + (long)neighbours[s] * features + f;
      v128_t w = wasm_f32x4_splat(slot_weight(weights, edge_ids, s, heads, h));
      a0 = mul_add(a0, w, wasm_v128_load(xr)), a1 = mul_add(a1, w, wasm_v128_load(xr + 4));
      a2 = mul_add(a2, w, wasm_v128_load(xr + 8)), a3 = mul_add(a3, w, wasm_v128_load(xr + 12));
    }
    wasm_v128_store(out_row + f, a0), wasm_v128_store(out_row + f + 4, a1);
    wasm_v128_store(out_row + f + 8, a2), wasm_v128_store(out_row + f + 12, a3);
  }
  for (; f + 4 <= f1; f += 4) {
    v128_t a0 = zero();
    for (int s = start; s < end; s++) {
      a0 = mul_add(a0, wasm_f32x4_splat(slot_weight(weights, edge_ids, s, heads, h)), wasm_v128_load(x + (long)neighbours[s] * features + f));
    }
    wasm_v128_store(out_row + f, a0);
  }
  for (; f < f1; f++) {
    float a0 = 0.0f;
    for (int s = start; s < end; s++) a0 += slot_weight(weights, edge_ids, s, heads, h) * x[(long)neighbours[s] * features + f];
    out_row[f] = a0;
  }
}

// SpMM by the view's rows: out[r] = Σ_slots w · x[neighbour]. weights: 0 (ones), [E] (heads = 1)
// or [E, heads], head h scaling columns h·features/heads .. (h+1)·features/heads.
EXPORT void aggregate_rows(const int32_t* offsets, const int32_t* neighbours, const int32_t* edge_ids, const float* x, int features,
                           const float* weights, int heads, float* out, int r0, int r1) {
  int width = features / heads;
  for (int r = r0; r < r1; r++) {
    float* out_row = out + (long)r * features;
    for (int h = 0; h < heads; h++) {
      aggregate_columns(neighbours, edge_ids, offsets[r], offsets[r + 1], x, features, weights, heads, h, out_row, h * width, (h + 1) * width);
    }
  }
}

// out[e, h] = Σ_{f in head h} by_destination[v, f] · by_source[u, f] for the edges e = u→v of
// destinations [r0, r1). Four edges at a time share each load of the destination row.
EXPORT void edge_head_dots(const int32_t* offsets, const int32_t* sources, const float* by_destination, const float* by_source, int features,
                           int heads, float* out, int r0, int r1) {
  int width = features / heads;
  int vector_end = width & ~3;
  for (int v = r0; v < r1; v++) {
    const float* d = by_destination + (long)v * features;
    int e = offsets[v], end = offsets[v + 1];
    for (; e + 4 <= end; e += 4) {
      const float* b0 = by_source + (long)sources[e] * features;
      const float* b1 = by_source + (long)sources[e + 1] * features;
      const float* b2 = by_source + (long)sources[e + 2] * features;
      const float* b3 = by_source + (long)sources[e + 3] * features;
      for (int h = 0; h < heads; h++) {
        int f0 = h * width;
        v128_t s0 = zero(), s1 = zero(), s2 = zero(), s3 = zero();
        for (int f = f0; f < f0 + vector_end; f += 4) {
          v128_t t = wasm_v128_load(d + f);
          s0 = mul_add(s0, t, wasm_v128_load(b0 + f)), s1 = mul_add(s1, t, wasm_v128_load(b1 + f));
          s2 = mul_add(s2, t, wasm_v128_load(b2 + f)), s3 = mul_add(s3, t, wasm_v128_load(b3 + f));
        }
        float t0 = horizontal_sum(s0), t1 = horizontal_sum(s1), t2 = horizontal_sum(s2), t3 = horizontal_sum(s3);
        for (int f = f0 + vector_end; f < f0 + width; f++) {
          t0 += d[f] * b0[f], t1 += d[f] * b1[f], t2 += d[f] * b2[f], t3 += d[f] * b3[f];
        }
        out[(long)e * heads + h] = t0, out[(long)(e + 1) * heads + h] = t1;
        out[(long)(e + 2) * heads + h] = t2, out[(long)(e + 3) * heads + h] = t3;
      }
    }
    for (; e < end; e++) {
      const float* b0 = by_source + (long)sources[e] * features;
      for (int h = 0; h < heads; h++) {
        int f0 = h * width;
        v128_t s0 = zero();
        for (int f = f0; f < f0 + vector_end; f += 4) s0 = mul_add(s0, wasm_v128_load(d + f), wasm_v128_load(b0 + f));
        float t0 = horizontal_sum(s0);
        for (int f = f0 + vector_end; f < f0 + width; f++) t0 += d[f] * b0[f];
        out[(long)e * heads + h] = t0;
      }
    }
  }
}
