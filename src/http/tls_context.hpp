#pragma once
// The server's TLS settings, one policy in one place (README "HTTPS"): TLS 1.2 and 1.3 only,
// forward-secret AEAD ciphers only (Mozilla's "intermediate" list for 1.2; OpenSSL's 1.3 suites),
// key exchange groups X25519, P-256 and P-384, no renegotiation, no compression.

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

struct x509_st;  // OpenSSL's X509

namespace wx::http {

// A server context for the PEM certificate chain and private key, or null with `why` saying what
// is wrong (which file, OpenSSL's reason; never a key's content).
[[nodiscard]] std::shared_ptr<boost::asio::ssl::context> make_server_tls_context(std::string const& cert_file,
                                                                                 std::string const& key_file,
                                                                                 std::string& why);

// The SHA-256 fingerprint of the context's leaf certificate, as openssl x509 -fingerprint prints
// it (upper-case hex pairs joined by ':'), for logs; "" when there is none.
[[nodiscard]] std::string certificate_fingerprint(boost::asio::ssl::context& context);
// The same for one certificate (a peer's, in tests); "" for null.
[[nodiscard]] std::string certificate_fingerprint(x509_st* cert);

}  // namespace wx::http
