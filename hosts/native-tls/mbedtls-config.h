/*
 * The mbedTLS configuration the engine compiles against; included before any mbedTLS header.
 *
 * ESP-IDF builds its mbedTLS with MBEDTLS_CONFIG_FILE and TF_PSA_CRYPTO_USER_CONFIG_FILE both
 * "mbedtls/esp_config.h" (components/mbedtls/CMakeLists.txt, as public definitions of its CMake
 * targets). The Moddable esp32 makefile compiles our C outside ESP-IDF's CMake and passes
 * neither, so without this the engine would see the stock configuration's structures
 * (mbedtls_ssl_config, mbedtls_x509_crt, PSA's operation contexts), not the library's.
 * Elsewhere (Linux) the install's own configuration header is the right one.
 */
#ifndef XS15118_MBEDTLS_CONFIG_H
#define XS15118_MBEDTLS_CONFIG_H

#if defined(ESP_PLATFORM) && !defined(MBEDTLS_CONFIG_FILE)
#define MBEDTLS_CONFIG_FILE "mbedtls/esp_config.h"
#define TF_PSA_CRYPTO_USER_CONFIG_FILE "mbedtls/esp_config.h"
#endif

#endif
