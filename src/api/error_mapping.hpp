#pragma once

#include "core/task.hpp"
#include "http/api_error.hpp"

namespace wx::api {

// The one mapping from module errors (wechat, store, jwt) to the API's error vocabulary.
[[nodiscard]] http::ApiError to_api_error(error_code const& ec);

}  // namespace wx::api
