#pragma once

#include <string>

#include "http/pipeline.hpp"

namespace wx::api {

// GET /.well-known/jwks.json: the public keys that verify our EdDSA access tokens (RFC 7517 /
// RFC 8037). Registered only when an Ed25519 key file is configured; with HS256 the path is 404.
// Thread safety: immutable; get() may run concurrently.
class JwksApi {
public:
    explicit JwksApi(std::string jwks_json) : json_(std::move(jwks_json)) {}
    Task<http::Response> get(http::Request& req, http::RequestContext& ctx);

private:
    std::string json_;
};

}  // namespace wx::api
