#include "api/jwks_api.hpp"

#include "http/response.hpp"

namespace wx::api {

Task<http::Response> JwksApi::get(http::Request& req, http::RequestContext&) {
    auto res = http::text_response(http::status::ok, json_, "application/json", req);
    // Public keys only: verifiers may cache them, briefly, so that a rotation reaches them soon.
    res.set(http::bhttp::field::cache_control, "public, max-age=300");
    co_return res;
}

}  // namespace wx::api
