// System-library shim for GMP. gmp.h names its functions through macros
// (mpz_add -> __gmpz_add) that Swift cannot import, so each function zkmargin
// uses is re-exported here as a static inline function with a zk_ prefix.
#ifndef ZKMARGIN_CGMP_SHIM_H
#define ZKMARGIN_CGMP_SHIM_H

#include <stddef.h>
#include <string.h>
#include <gmp.h>

// ---- mpn: fixed-size natural-number arithmetic on limb arrays ----
static inline mp_limb_t zk_mpn_add_n(mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b, mp_size_t n) { return mpn_add_n(r, a, b, n); }
static inline mp_limb_t zk_mpn_sub_n(mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b, mp_size_t n) { return mpn_sub_n(r, a, b, n); }
static inline void zk_mpn_mul_n(mp_limb_t *r, const mp_limb_t *a, const mp_limb_t *b, mp_size_t n) { mpn_mul_n(r, a, b, n); }
static inline void zk_mpn_sqr(mp_limb_t *r, const mp_limb_t *a, mp_size_t n) { mpn_sqr(r, a, n); }
static inline void zk_mpn_mul(mp_limb_t *r, const mp_limb_t *a, mp_size_t an, const mp_limb_t *b, mp_size_t bn) { mpn_mul(r, a, an, b, bn); }
static inline void zk_mpn_tdiv_qr(mp_limb_t *q, mp_limb_t *r, const mp_limb_t *n, mp_size_t nn, const mp_limb_t *d, mp_size_t dn) { mpn_tdiv_qr(q, r, 0, n, nn, d, dn); }
static inline int zk_mpn_cmp(const mp_limb_t *a, const mp_limb_t *b, mp_size_t n) { return mpn_cmp(a, b, n); }
static inline int zk_mpn_zero_p(const mp_limb_t *a, mp_size_t n) { return mpn_zero_p(a, n); }

// ---- mpz: arbitrary-precision integers ----
static inline void zk_mpz_init(mpz_ptr z) { mpz_init(z); }
static inline void zk_mpz_clear(mpz_ptr z) { mpz_clear(z); }
static inline void zk_mpz_set(mpz_ptr r, mpz_srcptr a) { mpz_set(r, a); }
static inline void zk_mpz_set_si(mpz_ptr r, long v) { mpz_set_si(r, v); }
static inline void zk_mpz_set_ui(mpz_ptr r, unsigned long v) { mpz_set_ui(r, v); }
static inline int zk_mpz_set_str(mpz_ptr r, const char *s, int base) { return mpz_set_str(r, s, base); }
static inline char *zk_mpz_get_str(char *buf, int base, mpz_srcptr a) { return mpz_get_str(buf, base, a); }
static inline long zk_mpz_get_si(mpz_srcptr a) { return mpz_get_si(a); }
static inline int zk_mpz_fits_slong_p(mpz_srcptr a) { return mpz_fits_slong_p(a); }
static inline size_t zk_mpz_sizeinbase(mpz_srcptr a, int base) { return mpz_sizeinbase(a, base); }
static inline void zk_mpz_add(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_add(r, a, b); }
static inline void zk_mpz_sub(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_sub(r, a, b); }
static inline void zk_mpz_mul(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_mul(r, a, b); }
static inline void zk_mpz_mul_si(mpz_ptr r, mpz_srcptr a, long b) { mpz_mul_si(r, a, b); }
static inline void zk_mpz_mul_2exp(mpz_ptr r, mpz_srcptr a, mp_bitcnt_t b) { mpz_mul_2exp(r, a, b); }
static inline void zk_mpz_neg(mpz_ptr r, mpz_srcptr a) { mpz_neg(r, a); }
static inline void zk_mpz_abs(mpz_ptr r, mpz_srcptr a) { mpz_abs(r, a); }
static inline void zk_mpz_mod(mpz_ptr r, mpz_srcptr a, mpz_srcptr m) { mpz_mod(r, a, m); }
static inline void zk_mpz_fdiv_q(mpz_ptr q, mpz_srcptr a, mpz_srcptr d) { mpz_fdiv_q(q, a, d); }
static inline void zk_mpz_cdiv_q(mpz_ptr q, mpz_srcptr a, mpz_srcptr d) { mpz_cdiv_q(q, a, d); }
static inline void zk_mpz_tdiv_qr(mpz_ptr q, mpz_ptr r, mpz_srcptr a, mpz_srcptr d) { mpz_tdiv_qr(q, r, a, d); }
static inline void zk_mpz_divexact(mpz_ptr q, mpz_srcptr a, mpz_srcptr d) { mpz_divexact(q, a, d); }
static inline void zk_mpz_gcd(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_gcd(r, a, b); }
static inline void zk_mpz_lcm(mpz_ptr r, mpz_srcptr a, mpz_srcptr b) { mpz_lcm(r, a, b); }
static inline void zk_mpz_pow_ui(mpz_ptr r, mpz_srcptr a, unsigned long e) { mpz_pow_ui(r, a, e); }
static inline void zk_mpz_ui_pow_ui(mpz_ptr r, unsigned long b, unsigned long e) { mpz_ui_pow_ui(r, b, e); }
static inline void zk_mpz_powm(mpz_ptr r, mpz_srcptr b, mpz_srcptr e, mpz_srcptr m) { mpz_powm(r, b, e, m); }
static inline int zk_mpz_invert(mpz_ptr r, mpz_srcptr a, mpz_srcptr m) { return mpz_invert(r, a, m); }
static inline int zk_mpz_cmp(mpz_srcptr a, mpz_srcptr b) { return mpz_cmp(a, b); }
static inline int zk_mpz_cmp_si(mpz_srcptr a, long b) { return mpz_cmp_si(a, b); }
static inline int zk_mpz_cmpabs(mpz_srcptr a, mpz_srcptr b) { return mpz_cmpabs(a, b); }
static inline int zk_mpz_sgn(mpz_srcptr a) { return mpz_sgn(a); }
static inline int zk_mpz_legendre(mpz_srcptr a, mpz_srcptr p) { return mpz_legendre(a, p); }
static inline int zk_mpz_tstbit(mpz_srcptr a, mp_bitcnt_t i) { return mpz_tstbit(a, i); }
static inline void zk_mpz_import(mpz_ptr r, size_t count, int order, size_t size, int endian, size_t nails, const void *op) { mpz_import(r, count, order, size, endian, nails, op); }
static inline void *zk_mpz_export(void *out, size_t *count, int order, size_t size, int endian, size_t nails, mpz_srcptr a) { return mpz_export(out, count, order, size, endian, nails, a); }
static inline mpz_srcptr zk_mpz_roinit_n(mpz_ptr x, const mp_limb_t *limbs, mp_size_t n) { return mpz_roinit_n(x, limbs, n); }
static inline size_t zk_mpz_size(mpz_srcptr a) { return mpz_size(a); }
static inline mp_limb_t zk_mpz_getlimbn(mpz_srcptr a, mp_size_t i) { return mpz_getlimbn(a, i); }

// ---- mpq: exact rationals (always canonical: lowest terms, positive denominator) ----
static inline void zk_mpq_init(mpq_ptr q) { mpq_init(q); }
static inline void zk_mpq_clear(mpq_ptr q) { mpq_clear(q); }
static inline void zk_mpq_set(mpq_ptr r, mpq_srcptr a) { mpq_set(r, a); }
static inline void zk_mpq_set_z(mpq_ptr r, mpz_srcptr a) { mpq_set_z(r, a); }
static inline void zk_mpq_set_si(mpq_ptr r, long n, unsigned long d) { mpq_set_si(r, n, d); }
static inline int zk_mpq_set_str(mpq_ptr r, const char *s, int base) { return mpq_set_str(r, s, base); }
static inline char *zk_mpq_get_str(char *buf, int base, mpq_srcptr a) { return mpq_get_str(buf, base, a); }
static inline void zk_mpq_canonicalize(mpq_ptr q) { mpq_canonicalize(q); }
static inline void zk_mpq_add(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_add(r, a, b); }
static inline void zk_mpq_sub(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_sub(r, a, b); }
static inline void zk_mpq_mul(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_mul(r, a, b); }
static inline void zk_mpq_div(mpq_ptr r, mpq_srcptr a, mpq_srcptr b) { mpq_div(r, a, b); }
static inline void zk_mpq_neg(mpq_ptr r, mpq_srcptr a) { mpq_neg(r, a); }
static inline void zk_mpq_abs(mpq_ptr r, mpq_srcptr a) { mpq_abs(r, a); }
static inline int zk_mpq_cmp(mpq_srcptr a, mpq_srcptr b) { return mpq_cmp(a, b); }
static inline int zk_mpq_sgn(mpq_srcptr a) { return mpq_sgn(a); }
static inline int zk_mpq_equal(mpq_srcptr a, mpq_srcptr b) { return mpq_equal(a, b); }
static inline mpz_ptr zk_mpq_numref(mpq_ptr q) { return mpq_numref(q); }
static inline mpz_ptr zk_mpq_denref(mpq_ptr q) { return mpq_denref(q); }
static inline mpz_srcptr zk_mpq_numref_const(mpq_srcptr q) { return mpq_numref(q); }
static inline mpz_srcptr zk_mpq_denref_const(mpq_srcptr q) { return mpq_denref(q); }

// ---- memory ----
/// Frees a string returned by zk_mpz_get_str / zk_mpq_get_str with a NULL buffer.
static inline void zk_gmp_free_str(char *s) {
    void (*freefunc)(void *, size_t);
    mp_get_memory_functions(NULL, NULL, &freefunc);
    freefunc(s, strlen(s) + 1);
}

#endif
