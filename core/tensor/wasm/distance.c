// Per-edge row distances and their gradients in WASM SIMD, for the local-structure kernels:
// kind 0 = dot (xᵀy), 1 = l1 (‖x − y‖₁), 2 = sqeuclidean (‖x − y‖²). Row views and ranges as in
// graph.c. The distances sum in float32; their gradients in float64 (see below).

#include "simd.h"

#define DOT 0
#define L1 1

// one term of the distance between rows a and b, four columns at a time
static inline v128_t term(v128_t a, v128_t b, int kind) {
  if (kind == DOT) return wasm_f32x4_mul(a, b);
  v128_t d = wasm_f32x4_sub(a, b);
  return kind == L1 ? wasm_f32x4_abs(d) : wasm_f32x4_mul(d, d);
}

static inline float scalar_term(float a, float b, int kind) {
  if (kind == DOT) return a * b;
  float d = a - b;
  return kind == L1 ? __builtin_fabsf(d) : d * d;
}

// out[e] = kind(x[u], y[v]) for e = u→v, destinations [r0, r1). With row_ends (non-zero), row v
// stops at row_ends[v]: the lower half of a symmetric graph, mirrored afterwards by the caller.
EXPORT void edge_distance(const int32_t* offsets, const int32_t* sources, const float* x, const float* y, int features, int kind,
                          float* out, const int32_t* row_ends, int r0, int r1) {
  int vector_end = features & ~3;
  for (int v = r0; v < r1; v++) {
    const float* yr = y + (long)v * features;
    int e = offsets[v];
    int end = row_ends == 0 ? offsets[v + 1] : row_ends[v];
    for (; e + 4 <= end; e += 4) {
      const float* b0 = x + (long)sources[e] * features;
      const float* b1 = x + (long)sources[e + 1] * features;
      const float* b2 = x + (long)sources[e + 2] * features;
      const float* b3 = x + (long)sources[e + 3] * features;
      v128_t s0 = zero(), s1 = zero(), s2 = zero(), s3 = zero();
      for (int f = 0; f < vector_end; f += 4) {
        v128_t t = wasm_v128_load(yr + f);
        s0 = wasm_f32x4_add(s0, term(wasm_v128_load(b0 + f), t, kind));
        s1 = wasm_f32x4_add(s1, term(wasm_v128_load(b1 + f), t, kind));
        s2 = wasm_f32x4_add(s2, term(wasm_v128_load(b2 + f), t, kind));
        s3 = wasm_f32x4_add(s3, term(wasm_v128_load(b3 + f), t, kind));
      }
      float t0 = horizontal_sum(s0), t1 = horizontal_sum(s1), t2 = horizontal_sum(s2), t3 = horizontal_sum(s3);
      for (int f = vector_end; f < features; f++) {
        t0 += scalar_term(b0[f], yr[f], kind), t1 += scalar_term(b1[f], yr[f], kind);
        t2 += scalar_term(b2[f], yr[f], kind), t3 += scalar_term(b3[f], yr[f], kind);
      }
      out[e] = t0, out[e + 1] = t1, out[e + 2] = t2, out[e + 3] = t3;
    }
    for (; e < end; e++) {
      const float* b0 = x + (long)sources[e] * features;
      v128_t s0 = zero();
      for (int f = 0; f < vector_end; f += 4) s0 = wasm_f32x4_add(s0, term(wasm_v128_load(b0 + f), wasm_v128_load(yr + f), kind));
      float t0 = horizontal_sum(s0);
      for (int f = vector_end; f < features; f++) t0 += scalar_term(b0[f], yr[f], kind);
      out[e] = t0;
    }
  }
}

// The gradient sums signed per-edge weights that largely cancel (the local-structure KL's
// gradients are small and of both signs), so it accumulates in float64, like the float32 inputs'
// exact products allow: the result is then the float64 sum rounded once, as a scalar loop would give.

static inline v128_t low_half(v128_t v) { return wasm_f64x2_promote_low_f32x4(v); }
static inline v128_t high_half(v128_t v) { return wasm_f64x2_promote_low_f32x4(wasm_i32x4_shuffle(v, v, 2, 3, 0, 1)); }
static inline v128_t to_float32(v128_t low, v128_t high) {
  return wasm_i32x4_shuffle(wasm_f32x4_demote_f64x2_zero(low), wasm_f32x4_demote_f64x2_zero(high), 0, 1, 4, 5);
}

// g·sign(own − other) as float32 lanes: ±g exactly, 0 at ties (the subgradient the naive reference uses)
static inline v128_t signed_gradient(v128_t g, v128_t own, v128_t other) {
  v128_t d = wasm_f32x4_sub(own, other);
  return wasm_v128_and(wasm_v128_xor(g, wasm_v128_and(d, wasm_f32x4_splat(-0.0f))), wasm_f32x4_ne(d, zero()));
}

static inline float slot_gradient(const float* gradient, const int32_t* edge_ids, int slot) {
  return gradient[edge_ids == 0 ? slot : edge_ids[slot]];
}

// Gradient of Σ_e g[e]·kind(x[u], y[v]) wrt one operand, per row of the view: with the by-source
// view and (own = x, other = y) it is ∂/∂x; by destination with (own = y, other = x) it is ∂/∂y.
// dot → Σ g·other; l1 → Σ g·sign(own − other); sqeuclidean → 2(Σg)·own − 2Σ g·other.
EXPORT void edge_distance_gradient(const int32_t* offsets, const int32_t* neighbours, const int32_t* edge_ids, const float* own,
                                   const float* other, const float* gradient, int features, int kind, float* out, int r0, int r1) {
  double scale = kind == 2 ? -2.0 : 1.0;
  for (int r = r0; r < r1; r++) {
    const float* own_row = own + (long)r * features;
    float* out_row = out + (long)r * features;
    int start = offsets[r], end = offsets[r + 1];
    double gradient_sum = 0.0;
    if (kind == 2) {
      for (int s = start; s < end; s++) gradient_sum += slot_gradient(gradient, edge_ids, s);
    }
    v128_t own_scale = wasm_f64x2_splat(2.0 * gradient_sum);
    v128_t vscale = wasm_f64x2_splat(scale);
    int f = 0;
    // eight columns at a time: four float64x2 accumulators in registers while the row's slots stream by
    for (; f + 8 <= features; f += 8) {
      v128_t o0 = wasm_v128_load(own_row + f), o1 = wasm_v128_load(own_row + f + 4);
      v128_t a0 = wasm_f64x2_splat(0.0), a1 = a0, a2 = a0, a3 = a0;
      for (int s = start; s < end; s++) {
        const float* b = other + (long)neighbours[s] * features + f;
        float g = slot_gradient(gradient, edge_ids, s);
        v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4);
        if (kind == L1) {
          v128_t gv = wasm_f32x4_splat(g);
          v128_t t0 = signed_gradient(gv, o0, b0), t1 = signed_gradient(gv, o1, b1);
          a0 = wasm_f64x2_add(a0, low_half(t0)), a1 = wasm_f64x2_add(a1, high_half(t0));
          a2 = wasm_f64x2_add(a2, low_half(t1)), a3 = wasm_f64x2_add(a3, high_half(t1));
        } else {
          v128_t gd = wasm_f64x2_splat(g);
          a0 = wasm_f64x2_add(a0, wasm_f64x2_mul(gd, low_half(b0))), a1 = wasm_f64x2_add(a1, wasm_f64x2_mul(gd, high_half(b0)));
          a2 = wasm_f64x2_add(a2, wasm_f64x2_mul(gd, low_half(b1))), a3 = wasm_f64x2_add(a3, wasm_f64x2_mul(gd, high_half(b1)));
        }
      }
      a0 = wasm_f64x2_add(wasm_f64x2_mul(vscale, a0), wasm_f64x2_mul(own_scale, low_half(o0)));
      a1 = wasm_f64x2_add(wasm_f64x2_mul(vscale, a1), wasm_f64x2_mul(own_scale, high_half(o0)));
      a2 = wasm_f64x2_add(wasm_f64x2_mul(vscale, a2), wasm_f64x2_mul(own_scale, low_half(o1)));
      a3 = wasm_f64x2_add(wasm_f64x2_mul(vscale, a3), wasm_f64x2_mul(own_scale, high_half(o1)));
      wasm_v128_store(out_row + f, to_float32(a0, a1));
      wasm_v128_store(out_row + f + 4, to_float32(a2, a3));
    }
    for (; f < features; f++) {
      double a0 = 0.0;
      for (int s = start; s < end; s++) {
        double g = slot_gradient(gradient, edge_ids, s);
        float o = own_row[f], b = other[(long)neighbours[s] * features + f];
        a0 += kind != L1 ? g * b : o > b ? g : o < b ? -g : 0.0;
      }
      out_row[f] = (float)(scale * a0 + 2.0 * gradient_sum * own_row[f]);
    }
  }
}
