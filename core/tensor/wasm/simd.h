// Shared by the kernel sources: the export marker and the few SIMD helpers every file uses.
#ifndef ALIGNAHEAD_SIMD_H
#define ALIGNAHEAD_SIMD_H

#include <stdint.h>
#include <wasm_simd128.h>

// A function the JS side calls (by its name) through the module's exports (linked with --export-dynamic).
#define EXPORT __attribute__((visibility("default")))

static inline v128_t zero(void) { return wasm_f32x4_splat(0.0f); }
static inline v128_t mul_add(v128_t acc, v128_t a, v128_t b) { return wasm_f32x4_add(acc, wasm_f32x4_mul(a, b)); }
static inline float horizontal_sum(v128_t v) {
  return (wasm_f32x4_extract_lane(v, 0) + wasm_f32x4_extract_lane(v, 1)) + (wasm_f32x4_extract_lane(v, 2) + wasm_f32x4_extract_lane(v, 3));
}

#endif
