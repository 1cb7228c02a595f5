#pragma once

#include "http/pipeline.hpp"

namespace wx::http {

// Per-route middleware for the routes that read a query string: decodes it once into
// RequestContext::parsed_query (read with ctx.query()), or answers 400 invalid_request for an
// invalid percent-encoding or text that is not UTF-8. Routes without it pay nothing for queries.
// Thread safety: stateless.
class ParseQuery final : public Middleware {
public:
    Task<Response> handle(Request& req, RequestContext& ctx, Next next) const override;
};

}  // namespace wx::http
