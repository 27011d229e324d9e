/* check.h - the CHECK / CHECK_EQ counters shared by the standalone C tests.
 * Each test prints "N passed, N failed" from `passed` and `failed`. */
#ifndef TINYML_TEST_CHECK_H
#define TINYML_TEST_CHECK_H

#include <stdio.h>

static int passed, failed;

#define CHECK(cond)                                                  \
  do {                                                               \
    if (cond) {                                                      \
      passed++;                                                      \
    } else {                                                         \
      failed++;                                                      \
      printf("FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);         \
    }                                                                \
  } while (0)

#define CHECK_EQ(a, b)                                                    \
  do {                                                                    \
    long long va_ = (long long)(a), vb_ = (long long)(b);                 \
    if (va_ == vb_) {                                                     \
      passed++;                                                           \
    } else {                                                              \
      failed++;                                                           \
      printf("FAIL %s:%d: %s == %lld, expected %lld\n", __FILE__, __LINE__, \
             #a, va_, vb_);                                               \
    }                                                                     \
  } while (0)

#endif /* TINYML_TEST_CHECK_H */
