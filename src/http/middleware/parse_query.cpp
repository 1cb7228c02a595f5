#include "http/middleware/parse_query.hpp"

#include "http/transport_errors.hpp"

namespace wx::http {

Task<Response> ParseQuery::handle(Request& req, RequestContext& ctx, Next next) const {
    auto parsed = QueryParams::parse(query_of(req.target()));
    if (!parsed) co_return answer_error(invalid_request_error(std::string{describe(parsed.error())}), req, ctx);
    ctx.parsed_query = std::move(*parsed);
    co_return co_await next(req, ctx);
}

}  // namespace wx::http
