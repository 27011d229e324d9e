/*
 * ota_ed25519.h - Ed25519 signature verification (RFC 8032, PureEdDSA,
 * cofactorless check [S]B == R + [k]A by comparing encodings, as OpenSSL
 * does). Verify only: the device never signs. No allocation, no tables;
 * a whole bundle verification peaks at 2.6 KB of stack on the Cortex-M4.
 */
#ifndef OTA_ED25519_H
#define OTA_ED25519_H

#include <stddef.h>
#include <stdint.h>

/* 1 if sig is a valid signature of msg[0..n) under the public key pub, else 0
 * (also for a non-canonical S, an undecodable key or R mismatch). */
int ota_ed25519_verify(const uint8_t sig[64], const uint8_t *msg, size_t n, const uint8_t pub[32]);

#endif /* OTA_ED25519_H */
