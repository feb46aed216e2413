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

#endif
