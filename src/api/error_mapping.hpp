#pragma once

#include "core/task.hpp"
#include "http/api_error.hpp"
#include "http/types.hpp"

namespace wx::api {

// The one mapping from module errors (wechat, store, jwt) to the API's error vocabulary.
[[nodiscard]] http::ApiError to_api_error(error_code const& ec);
// A store error about the authenticated caller's own record: not_found means the user was deleted
// after its token was issued, so the token is dead (token_revoked).
[[nodiscard]] http::ApiError caller_error(error_code const& ec);
// The error envelope answering this request.
[[nodiscard]] http::Response fail(http::ApiError const& e, http::Request const& req, http::RequestContext const& ctx);

}  // namespace wx::api
