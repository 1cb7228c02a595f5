#pragma once
// The error answer of API.md as the transport sees it: a status, a stable code, a message and the
// headers that go with it. Which codes exist is not the transport's business: api/ has the
// product's list; http/ knows only the few it answers itself (http/transport_errors.hpp).

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/types.hpp"

namespace wx::http {

// One validation problem, rendered as {"field": ..., "reason": ...} in `details`.
struct FieldIssue {
    std::string field;
    std::string reason;
};

struct ErrorEnvelope {
    status http_status = status::internal_server_error;
    // A stable, machine-readable name with static storage: a literal or an entry of a constant
    // table, never a string built at run time.
    std::string_view code = "internal";
    std::string message;              // for the client: never a secret, never internals
    std::vector<FieldIssue> details;  // rendered only when present
    boost::json::object extra;        // further members of "error", after the standard ones
    std::optional<int> retry_after_seconds;
    std::string allow;             // Allow header (405)
    std::string www_authenticate;  // a challenge, chosen by whoever authenticates the caller
    std::string reason;            // for the operator (the access log); never sent, never a secret
};

// The JSON body {"error":{...},"request_id":...} with status and headers set.
[[nodiscard]] Response error_response(ErrorEnvelope const& error,
                                      std::string_view request_id,
                                      unsigned version = 11,
                                      bool keep_alive = true);

// Records the failure in `ctx` (the access log writes its code and reason with the request id)
// and renders the answer for `req`.
[[nodiscard]] Response answer_error(ErrorEnvelope const& error, Request const& req, RequestContext& ctx);

// Lets result<T, ErrorEnvelope>::value() report a missing value (a bug) as an exception; found
// by argument-dependent lookup.
[[noreturn]] void throw_exception_from_error(ErrorEnvelope const& e, boost::source_location const& loc);

}  // namespace wx::http
