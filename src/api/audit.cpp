#include "api/audit.hpp"

#include <string>
#include <vector>

#include "obs/log.hpp"
#include "obs/mask.hpp"

namespace wx::api {
namespace {

constexpr std::array<std::string_view, static_cast<std::size_t>(AuditEvent::count_)> kNames{
    "login_succeeded", "login_failed",         "login_locked",           "logout",
    "logout_all",      "session_revoked",      "refresh_reuse_detected", "password_changed",
    "account_deleted", "admin_revoke_session", "admin_logout_all",       "admin_unlock",
    "admin_delete",    "admin_disable",        "admin_enable",           "admin_set_role",
};

constexpr std::string_view kAdminPrefix = "admin_";

}  // namespace

std::string_view audit_event_name(AuditEvent event) noexcept {
    auto i = static_cast<std::size_t>(event);
    return i < kNames.size() ? kNames[i] : std::string_view{"unknown"};
}

Audit::Audit() : counters_("wxlogin_audit_events_total", "Security events written to the audit log.", {"event"}) {
    // Every series exists from the start, so an alert on a rate sees 0 rather than nothing.
    for (std::size_t i = 0; i < by_event_.size(); ++i) by_event_[i] = &counters_.with({std::string{kNames[i]}});
}

void Audit::record(AuditEntry const& e, http::RequestContext const& ctx) {
    auto const i = static_cast<std::size_t>(e.event);
    if (i >= by_event_.size()) return;
    by_event_[i]->add();
    if (!obs::log_enabled(obs::LogLevel::info)) return;

    std::string_view const name = kNames[i];
    std::string const client = obs::mask_ip(ctx.client_address);
    std::vector<obs::Field> fields;
    fields.reserve(9);
    fields.emplace_back("type", name);
    if (e.actor) fields.emplace_back("actor", *e.actor);
    if (e.target) fields.emplace_back("target", *e.target);
    if (name.starts_with(kAdminPrefix)) fields.emplace_back("action", name.substr(kAdminPrefix.size()));
    if (!e.session.empty()) fields.emplace_back("session", e.session);
    if (!e.method.empty()) fields.emplace_back("method", e.method);
    if (!e.reason.empty()) fields.emplace_back("reason", e.reason);
    fields.emplace_back("request_id", ctx.request_id);
    if (!client.empty()) fields.emplace_back("client", client);
    obs::log(obs::LogLevel::info, "audit", fields);
}

}  // namespace wx::api
