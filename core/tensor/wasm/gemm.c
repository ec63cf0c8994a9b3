// Dense products for the multicore engine, in WASM SIMD (f32x4). Row-major float32 throughout.
//
// Calling convention (see kernels.ts): every pointer is a byte offset into the shared memory the
// JS side manages; each call computes a range of output rows so that threads can split the work
// without ever writing the same element. No function uses the shadow stack or static data, so the
// per-thread instances may share one memory (build.ts checks this).
//
// The caller pads the column counts of B, C and G (and, for gemm_tn, of A) to a multiple of 4:
// the micro-tiles below then never need a scalar column tail.

#include "simd.h"

#define KC 256  // gemm_tn walks its shared dimension in blocks of KC rows, reused from cache by every tile

static inline v128_t lane(v128_t x, int i) {
  switch (i) {
    case 0: return wasm_i32x4_shuffle(x, x, 0, 0, 0, 0);
    case 1: return wasm_i32x4_shuffle(x, x, 1, 1, 1, 1);
    case 2: return wasm_i32x4_shuffle(x, x, 2, 2, 2, 2);
    default: return wasm_i32x4_shuffle(x, x, 3, 3, 3, 3);
  }
}

// C[4 rows, 12 cols] = A[4 rows, k] · B[k, 12 cols]: 12 accumulators + 3 B vectors + 1 splat fit
// the 16 SIMD registers; measured 33 GFLOPS on one core against 11 for 4 × 8 tiles.
static inline void tile_4x12(const float* a, int lda, const float* b, int ldb, float* c, int ldc, int k) {
  v128_t c00 = zero(), c01 = zero(), c02 = zero(), c10 = zero(), c11 = zero(), c12 = zero();
  v128_t c20 = zero(), c21 = zero(), c22 = zero(), c30 = zero(), c31 = zero(), c32 = zero();
  const float *a1 = a + lda, *a2 = a + 2 * lda, *a3 = a + 3 * lda;
  for (int p = 0; p < k; p++, b += ldb) {
    v128_t b0 = wasm_v128_load(b), b1 = wasm_v128_load(b + 4), b2 = wasm_v128_load(b + 8);
    v128_t x = wasm_v128_load32_splat(a + p);
    c00 = mul_add(c00, x, b0), c01 = mul_add(c01, x, b1), c02 = mul_add(c02, x, b2);
    x = wasm_v128_load32_splat(a1 + p);
    c10 = mul_add(c10, x, b0), c11 = mul_add(c11, x, b1), c12 = mul_add(c12, x, b2);
    x = wasm_v128_load32_splat(a2 + p);
    c20 = mul_add(c20, x, b0), c21 = mul_add(c21, x, b1), c22 = mul_add(c22, x, b2);
    x = wasm_v128_load32_splat(a3 + p);
    c30 = mul_add(c30, x, b0), c31 = mul_add(c31, x, b1), c32 = mul_add(c32, x, b2);
  }
  wasm_v128_store(c, c00), wasm_v128_store(c + 4, c01), wasm_v128_store(c + 8, c02), c += ldc;
  wasm_v128_store(c, c10), wasm_v128_store(c + 4, c11), wasm_v128_store(c + 8, c12), c += ldc;
  wasm_v128_store(c, c20), wasm_v128_store(c + 4, c21), wasm_v128_store(c + 8, c22), c += ldc;
  wasm_v128_store(c, c30), wasm_v128_store(c + 4, c31), wasm_v128_store(c + 8, c32);
}

// C[rows ≤ 4, 4 cols] = A[rows, k] · B[k, 4 cols]: the column remainder below 12, and row tails
static inline void tile_rx4(const float* a, int lda, int rows, const float* b, int ldb, float* c, int ldc, int k) {
  v128_t c0 = zero(), c1 = zero(), c2 = zero(), c3 = zero();
  for (int p = 0; p < k; p++, b += ldb) {
    v128_t bv = wasm_v128_load(b);
    c0 = mul_add(c0, wasm_v128_load32_splat(a + p), bv);
    if (rows > 1) c1 = mul_add(c1, wasm_v128_load32_splat(a + lda + p), bv);
    if (rows > 2) c2 = mul_add(c2, wasm_v128_load32_splat(a + 2 * lda + p), bv);
    if (rows > 3) c3 = mul_add(c3, wasm_v128_load32_splat(a + 3 * lda + p), bv);
  }
  wasm_v128_store(c, c0);
  if (rows > 1) wasm_v128_store(c + ldc, c1);
  if (rows > 2) wasm_v128_store(c + 2 * ldc, c2);
  if (rows > 3) wasm_v128_store(c + 3 * ldc, c3);
}

// C = A · B for C rows [r0, r1): A [n × k] (row stride lda), B [k × m4], C [n × m4], m4 a
// multiple of 4 (the caller pads B's and C's columns).
EXPORT void gemm_nn(const float* a, int lda, const float* b, int m4, float* c, int k, int r0, int r1) {
  for (int r = r0; r < r1; r += 4) {
    int rows = r1 - r < 4 ? r1 - r : 4;
    const float* ar = a + (long)r * lda;
    float* cr = c + (long)r * m4;
    int j = 0;
    if (rows == 4) {
      for (; j + 12 <= m4; j += 12) tile_4x12(ar, lda, b + j, m4, cr + j, m4, k);
    }
    for (; j < m4; j += 4) tile_rx4(ar, lda, rows, b + j, m4, cr + j, m4, k);
  }
}

// C[4 rows, 12 cols] (+)= Σ_i A[i, 4 cols]ᵀ · G[i, 12 cols] over i in [i0, i1)
static inline void tile_t4x12(const float* a, int lda, const float* g, int ldg, float* c, int ldc, int i0, int i1, int accumulate) {
  v128_t c00 = zero(), c01 = zero(), c02 = zero(), c10 = zero(), c11 = zero(), c12 = zero();
  v128_t c20 = zero(), c21 = zero(), c22 = zero(), c30 = zero(), c31 = zero(), c32 = zero();
  for (int i = i0; i < i1; i++) {
    const float* gi = g + (long)i * ldg;
    v128_t b0 = wasm_v128_load(gi), b1 = wasm_v128_load(gi + 4), b2 = wasm_v128_load(gi + 8);
    v128_t x = wasm_v128_load(a + (long)i * lda);
    v128_t s = lane(x, 0);
    c00 = mul_add(c00, s, b0), c01 = mul_add(c01, s, b1), c02 = mul_add(c02, s, b2);
    s = lane(x, 1);
    c10 = mul_add(c10, s, b0), c11 = mul_add(c11, s, b1), c12 = mul_add(c12, s, b2);
    s = lane(x, 2);
    c20 = mul_add(c20, s, b0), c21 = mul_add(c21, s, b1), c22 = mul_add(c22, s, b2);
    s = lane(x, 3);
    c30 = mul_add(c30, s, b0), c31 = mul_add(c31, s, b1), c32 = mul_add(c32, s, b2);
  }
  if (accumulate) {
    c00 = wasm_f32x4_add(c00, wasm_v128_load(c)), c01 = wasm_f32x4_add(c01, wasm_v128_load(c + 4)), c02 = wasm_f32x4_add(c02, wasm_v128_load(c + 8));
    c10 = wasm_f32x4_add(c10, wasm_v128_load(c + ldc)), c11 = wasm_f32x4_add(c11, wasm_v128_load(c + ldc + 4)), c12 = wasm_f32x4_add(c12, wasm_v128_load(c + ldc + 8));
    c20 = wasm_f32x4_add(c20, wasm_v128_load(c + 2 * ldc)), c21 = wasm_f32x4_add(c21, wasm_v128_load(c + 2 * ldc + 4)), c22 = wasm_f32x4_add(c22, wasm_v128_load(c + 2 * ldc + 8));
    c30 = wasm_f32x4_add(c30, wasm_v128_load(c + 3 * ldc)), c31 = wasm_f32x4_add(c31, wasm_v128_load(c + 3 * ldc + 4)), c32 = wasm_f32x4_add(c32, wasm_v128_load(c + 3 * ldc + 8));
  }
  wasm_v128_store(c, c00), wasm_v128_store(c + 4, c01), wasm_v128_store(c + 8, c02), c += ldc;
  wasm_v128_store(c, c10), wasm_v128_store(c + 4, c11), wasm_v128_store(c + 8, c12), c += ldc;
  wasm_v128_store(c, c20), wasm_v128_store(c + 4, c21), wasm_v128_store(c + 8, c22), c += ldc;
  wasm_v128_store(c, c30), wasm_v128_store(c + 4, c31), wasm_v128_store(c + 8, c32);
}

// C[4 rows, 4 cols] (+)= Σ_i A[i, 4 cols]ᵀ · G[i, 4 cols]: the column remainder below 12
static inline void tile_t4x4(const float* a, int lda, const float* g, int ldg, float* c, int ldc, int i0, int i1, int accumulate) {
  v128_t c0 = zero(), c1 = zero(), c2 = zero(), c3 = zero();
  for (int i = i0; i < i1; i++) {
    v128_t b = wasm_v128_load(g + (long)i * ldg);
    v128_t x = wasm_v128_load(a + (long)i * lda);
    c0 = mul_add(c0, lane(x, 0), b), c1 = mul_add(c1, lane(x, 1), b);
    c2 = mul_add(c2, lane(x, 2), b), c3 = mul_add(c3, lane(x, 3), b);
  }
  if (accumulate) {
    c0 = wasm_f32x4_add(c0, wasm_v128_load(c)), c1 = wasm_f32x4_add(c1, wasm_v128_load(c + ldc));
    c2 = wasm_f32x4_add(c2, wasm_v128_load(c + 2 * ldc)), c3 = wasm_f32x4_add(c3, wasm_v128_load(c + 3 * ldc));
  }
  wasm_v128_store(c, c0), wasm_v128_store(c + ldc, c1), wasm_v128_store(c + 2 * ldc, c2), wasm_v128_store(c + 3 * ldc, c3);
}

// C = Aᵀ · G for C rows [r0, r1) (multiples of 4): A [n × k4], G [n × m4], C [k4 × m4], k4 and m4
// multiples of 4. The shared dimension n is walked in blocks of KC rows: a block's rows of A and G
// stay in cache while every tile of the range reads them.
EXPORT void gemm_tn(const float* a, int k4, const float* g, int m4, float* c, int n, int r0, int r1) {
  for (int i0 = 0; i0 < n || i0 == 0; i0 += KC) {
    int i1 = n - i0 < KC ? n : i0 + KC;
    for (int r = r0; r < r1; r += 4) {
      float* cr = c + (long)r * m4;
      int j = 0;
      for (; j + 12 <= m4; j += 12) tile_t4x12(a + r, k4, g + j, m4, cr + j, m4, i0, i1, i0 > 0);
      for (; j < m4; j += 4) tile_t4x4(a + r, k4, g + j, m4, cr + j, m4, i0, i1, i0 > 0);
    }
    if (n == 0) break;
  }
}
