#pragma once

#include "api/audit.hpp"
#include "core/clock.hpp"
#include "http/pipeline.hpp"
#include "store/revocation_list.hpp"
#include "store/session_store.hpp"

namespace wx::api {

// The caller's sessions, one per device (API.md "Sessions (devices)"): GET lists the live ones
// with the caller's own marked `current`; DELETE /{id} revokes one exactly as logout does. An id
// that is not one of the caller's live sessions is 404, whether it exists or not.
// Every handler runs behind RequireAuth.
// Thread safety: handlers may run concurrently.
class SessionsApi {
public:
    SessionsApi(store::SessionStore& sessions, store::RevocationList& revocations, Audit& audit, Clock const& clock)
        : sessions_(sessions), revocations_(revocations), audit_(audit), clock_(clock) {}
    Task<http::Response> list(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> revoke(http::Request& req, http::RequestContext& ctx);

private:
    store::SessionStore& sessions_;
    store::RevocationList& revocations_;
    Audit& audit_;
    Clock const& clock_;
};

}  // namespace wx::api
