#include "http/tls_context.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <array>
#include <cstdio>

namespace wx::http {
namespace {

namespace ssl = boost::asio::ssl;

// TLS 1.2 suites: ECDHE key exchange with an AEAD cipher, nothing else (Mozilla "intermediate").
constexpr char const* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr char const* kTls13Suites = "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr char const* kGroups = "X25519:P-256:P-384";

// OpenSSL's reason for the last failure, with the queue cleared.
std::string openssl_reason() {
    unsigned long const e = ERR_peek_last_error();
    std::string reason =
        e ? ERR_reason_error_string(e) ? ERR_reason_error_string(e) : "unknown error" : "unknown error";
    ERR_clear_error();
    return reason;
}

}  // namespace

std::shared_ptr<ssl::context> make_server_tls_context(std::string const& cert_file,
                                                      std::string const& key_file,
                                                      std::string& why) {
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1 || SSL_CTX_set_ciphersuites(native, kTls13Suites) != 1 ||
        SSL_CTX_set1_groups_list(native, kGroups) != 1) {
        why = "the cipher policy: " + openssl_reason();
        return nullptr;
    }
    if (SSL_CTX_use_certificate_chain_file(native, cert_file.c_str()) != 1) {
        why = "WXLOGIN_TLS_CERT (" + cert_file + "): " + openssl_reason();
        return nullptr;
    }
    if (SSL_CTX_use_PrivateKey_file(native, key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
        why = "WXLOGIN_TLS_KEY (" + key_file + "): " + openssl_reason();
        return nullptr;
    }
    if (SSL_CTX_check_private_key(native) != 1) {
        why = "WXLOGIN_TLS_KEY does not belong to WXLOGIN_TLS_CERT: " + openssl_reason();
        return nullptr;
    }
    return ctx;
}

std::string certificate_fingerprint(ssl::context& context) {
    return certificate_fingerprint(SSL_CTX_get0_certificate(context.native_handle()));
}

std::string certificate_fingerprint(X509* cert) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int n = 0;
    if (!cert || X509_digest(cert, EVP_sha256(), digest.data(), &n) != 1) return {};
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
        char hex[4];
        std::snprintf(hex, sizeof hex, i + 1 < n ? "%02X:" : "%02X", digest[i]);
        out += hex;
    }
    return out;
}

}  // namespace wx::http
