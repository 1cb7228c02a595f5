#pragma once
// Handlers and middleware: a request passes an ordered chain of Middleware objects, each of which
// answers itself or awaits next(), and ends at the route's Handler.

#include <functional>
#include <span>

#include "http/types.hpp"

namespace wx::http {

using Handler = std::function<Task<Response>(Request&, RequestContext&)>;

class Middleware;

// The rest of the chain after the current middleware.
class Next {
public:
    Next(std::span<Middleware const* const> rest, Handler const& endpoint) : rest_(rest), endpoint_(&endpoint) {}
    // Not a coroutine: it returns the next element's coroutine for the caller to await.
    Task<Response> operator()(Request& req, RequestContext& ctx) const;

private:
    std::span<Middleware const* const> rest_;
    Handler const* endpoint_;
};

class Middleware {
public:
    virtual ~Middleware() = default;
    virtual Task<Response> handle(Request& req, RequestContext& ctx, Next next) const = 0;
};

inline Task<Response> Next::operator()(Request& req, RequestContext& ctx) const {
    if (rest_.empty()) return (*endpoint_)(req, ctx);
    return rest_.front()->handle(req, ctx, Next{rest_.subspan(1), *endpoint_});
}

// Binds a member coroutine of a long-lived object as a Handler. The lambda only *returns* the
// member coroutine (a coroutine lambda would dangle its captures: CP.51).
template <class Api>
Handler route_to(Api& api, Task<Response> (Api::*fn)(Request&, RequestContext&)) {
    return [&api, fn](Request& req, RequestContext& ctx) { return (api.*fn)(req, ctx); };
}

}  // namespace wx::http
