#pragma once

#include <boost/json/value.hpp>

#include "http/types.hpp"

namespace wx::http {

// A JSON answer. Every answer carries Cache-Control: no-store: API responses hold tokens or
// personal data, and nothing here is meant to be cached by a proxy.
[[nodiscard]] Response json_response(status code, boost::json::value const& body, Request const& req);
[[nodiscard]] Response empty_response(status code, Request const& req);
[[nodiscard]] Response text_response(status code, std::string body, std::string_view content_type, Request const& req);

}  // namespace wx::http
