// System-library shim for OpenSSL libcrypto (3.x). Only non-deprecated APIs are
// used by zkmargin; nothing here is re-exported through a public Swift API.
#ifndef ZKMARGIN_CLIBCRYPTO_SHIM_H
#define ZKMARGIN_CLIBCRYPTO_SHIM_H

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/pem.h>
#include <openssl/crypto.h>
#include <openssl/core_names.h>
#include <openssl/param_build.h>
#include <openssl/bio.h>

/// BN_FLG_CONSTTIME is a macro; exported as a function so Swift can set it.
static inline void zk_BN_set_consttime(BIGNUM *bn) { BN_set_flags(bn, BN_FLG_CONSTTIME); }

// Valgrind client requests for the dynamic constant-time check
// (scripts/ctcheck.sh; SECURITY.md, "Constant time"): memory holding a secret
// is marked undefined, so memcheck reports every branch and every memory
// address that depends on it; published results are marked defined again.
// Each request is a few no-op instructions outside valgrind. Without the
// valgrind headers at build time they compile to nothing and
// zk_ct_compiled_in() says so (ctcheck then refuses to run rather than pass
// vacuously). The nested #if: a preprocessor without __has_include must not
// see __has_include(<...>) at all.
#if defined(__has_include)
#  if __has_include(<valgrind/memcheck.h>)
#    include <valgrind/memcheck.h>
#    define ZK_CT_VALGRIND 1
#  endif
#endif

/// 1 when the valgrind client requests below are real, 0 when they are no-ops.
static inline int zk_ct_compiled_in(void) {
#ifdef ZK_CT_VALGRIND
    return 1;
#else
    return 0;
#endif
}

/// Nonzero when the process runs under valgrind (0 natively, or when not compiled in).
static inline unsigned zk_ct_running_on_valgrind(void) {
#ifdef ZK_CT_VALGRIND
    return (unsigned)RUNNING_ON_VALGRIND;
#else
    return 0;
#endif
}

/// Marks [p, p + n) undefined: from here on it is a secret.
static inline void zk_ct_secret(const void *p, size_t n) {
#ifdef ZK_CT_VALGRIND
    (void)VALGRIND_MAKE_MEM_UNDEFINED(p, n);
#else
    (void)p; (void)n;
#endif
}

/// How many of the n bytes at p hold an undefined (secret) bit; -1 outside
/// valgrind or when not compiled in. Reads memcheck's metadata without
/// reporting anything: ctcheck uses it to show that its secrets are marked.
static inline long zk_ct_undefined_bytes(const void *p, size_t n) {
#ifdef ZK_CT_VALGRIND
    unsigned char vbits[64];
    const unsigned char *q = (const unsigned char *)p;
    long count = 0;
    while (n > 0) {
        size_t k = n < sizeof vbits ? n : sizeof vbits;
        if (VALGRIND_GET_VBITS(q, vbits, k) != 1) return -1;
        for (size_t i = 0; i < k; i++) count += vbits[i] != 0;
        q += k;
        n -= k;
    }
    return count;
#else
    (void)p; (void)n;
    return -1;
#endif
}

/// Marks [p, p + n) defined: a deliberate declassification (a published
/// result, or a decision the code is allowed to make on a secret).
static inline void zk_ct_public(const void *p, size_t n) {
#ifdef ZK_CT_VALGRIND
    (void)VALGRIND_MAKE_MEM_DEFINED(p, n);
#else
    (void)p; (void)n;
#endif
}

#endif
