#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

#include "http/types.hpp"
#include "obs/metrics.hpp"

namespace wx::api {

// The security events the audit log records (README "Audit log"). admin_* are the administrators'
// changes; lookups are not recorded.
enum class AuditEvent {
    login_succeeded,
    login_failed,
    login_locked,
    logout,
    logout_all,
    session_revoked,
    refresh_reuse_detected,
    password_changed,
    account_deleted,
    admin_revoke_session,
    admin_logout_all,
    admin_unlock,
    admin_delete,
    admin_disable,
    admin_enable,
    admin_set_role,
    count_,  // not an event
};

[[nodiscard]] std::string_view audit_event_name(AuditEvent event) noexcept;

// One audit line's subject. Ids only: never a name, an address, a token or a password.
struct AuditEntry {
    AuditEvent event = AuditEvent::count_;
    std::optional<std::int64_t> actor{};   // the user who acted (themself, or the administrator)
    std::optional<std::int64_t> target{};  // the account acted on
    std::string_view session{};            // the session concerned, when one is
    std::string_view method{};             // login: "wechat" or "password"
    std::string_view reason{};             // login_failed: why; admin_set_role: the new role
};

// Writes one structured line per security event — event "audit" with the fields type (the event),
// actor, target, action (admin events), session, method, reason, request_id and the masked client
// address — in the configured log format, and counts it in wxlogin_audit_events_total{event}.
// Thread safety: record() may be called concurrently.
class Audit {
public:
    Audit();
    void record(AuditEntry const& entry, http::RequestContext const& ctx);
    [[nodiscard]] obs::CounterFamily& counters() { return counters_; }

private:
    obs::CounterFamily counters_;
    std::array<obs::Counter*, static_cast<std::size_t>(AuditEvent::count_)> by_event_{};
};

}  // namespace wx::api
