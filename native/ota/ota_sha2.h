/*
 * ota_sha2.h - SHA-256 and SHA-512 (FIPS 180-4), streaming, no allocation.
 * SHA-256 hashes bundle contents; SHA-512 is what Ed25519 needs.
 */
#ifndef OTA_SHA2_H
#define OTA_SHA2_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint32_t h[8];
  uint64_t bytes; /* total length so far */
  uint8_t buf[64];
} ota_sha256;

typedef struct {
  uint64_t h[8];
  uint64_t bytes;
  uint8_t buf[128];
} ota_sha512;

void ota_sha256_init(ota_sha256 *c);
void ota_sha256_update(ota_sha256 *c, const uint8_t *p, size_t n);
void ota_sha256_final(ota_sha256 *c, uint8_t out[32]);
void ota_sha256_once(const uint8_t *p, size_t n, uint8_t out[32]);

void ota_sha512_init(ota_sha512 *c);
void ota_sha512_update(ota_sha512 *c, const uint8_t *p, size_t n);
void ota_sha512_final(ota_sha512 *c, uint8_t out[64]);

#endif /* OTA_SHA2_H */
