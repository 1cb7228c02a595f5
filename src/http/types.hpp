#pragma once

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/task.hpp"
#include "http/path_params.hpp"
#include "http/query.hpp"

namespace wx::http {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using verb = bhttp::verb;
using status = bhttp::status;
using Request = bhttp::request<bhttp::string_body>;
using RequestHeader = bhttp::request_header<>;
using Response = bhttp::response<bhttp::string_body>;

// The authenticated caller, filled by the auth middleware from a verified access token.
struct Principal {
    std::int64_t user_id = 0;
    std::string session_id;
    std::string token_id;
    std::int64_t expires_at = 0;
    std::string role;
};

// Why a request failed, for the access log: the error code answered and a short reason for the
// operator (a module error's category and message; never a secret). Empty on success.
struct RequestFailure {
    std::string_view code;  // static storage, like ErrorEnvelope::code
    std::string reason;
};

// Per-request data, typed; the pipeline passes it from middleware to handler.
struct RequestContext {
    std::string request_id;
    std::string_view route = "<unmatched>";  // route template: the log and metrics label
    std::size_t route_metric = 0;
    std::string client_address;  // socket peer, or the trusted X-Forwarded-For entry
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
    std::optional<Principal> principal;
    RequestFailure failure;  // set by answer_error()
    PathParams path_params;  // set by the router when the route is a template
    // Set by the ParseQuery middleware, on the routes that list it; read through query().
    std::optional<QueryParams> parsed_query;

    // The `{name:int}` / any `{name}` parameter of the matched route template.
    [[nodiscard]] std::int64_t path_int(std::string_view name) const { return path_params.integer(name); }
    [[nodiscard]] std::string_view path(std::string_view name) const { return path_params.text(name); }
    // The decoded query. Reading it on a route without ParseQuery is a bug (std::logic_error).
    [[nodiscard]] QueryParams const& query() const {
        if (!parsed_query)
            throw std::logic_error("route " + std::string{route} + " reads the query without ParseQuery");
        return *parsed_query;
    }
};

}  // namespace wx::http
