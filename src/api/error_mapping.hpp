#pragma once

#include <chrono>

#include "api/api_error.hpp"
#include "core/task.hpp"
#include "http/error_envelope.hpp"
#include "http/types.hpp"

namespace wx::api {

// The one mapping from module errors (wechat, store, jwt) to the API's error vocabulary. It does
// not log: the reason it records (the module error's category and message) reaches the access
// log line of the request through fail().
[[nodiscard]] ApiError to_api_error(error_code const& ec);
// A store error about the authenticated caller's own record: not_found means the user was deleted
// after its token was issued, so the token is dead (token_revoked).
[[nodiscard]] ApiError caller_error(error_code const& ec);
// 429 rate_limited with its Retry-After.
[[nodiscard]] ApiError rate_limited(std::chrono::seconds retry_after);
// The error envelope answering this request; records the code and reason for the access log.
[[nodiscard]] http::Response fail(ApiError const& e, http::Request const& req, http::RequestContext& ctx);
// The same for an answer the transport helpers made (a body that does not parse, invalid fields).
[[nodiscard]] http::Response fail(http::ErrorEnvelope const& e, http::Request const& req, http::RequestContext& ctx);

}  // namespace wx::api
