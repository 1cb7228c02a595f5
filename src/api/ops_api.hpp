#pragma once

#include <functional>
#include <string>

#include "http/pipeline.hpp"
#include "obs/metrics.hpp"

namespace wx::api {

// Health, readiness and metrics endpoints for orchestrators and scrapers.
// Thread safety: handlers may run concurrently; the probes must be thread-safe.
class OpsApi {
public:
    struct Probes {
        std::function<bool()> draining;
        std::function<Task<bool>()> database;      // true when a trivial query succeeds
        std::function<Task<std::string>()> redis;  // "ok", "down" or "disabled"
    };
    OpsApi(obs::MetricsRegistry const& registry, Probes probes) : registry_(registry), probes_(std::move(probes)) {}

    Task<http::Response> healthz(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> readyz(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> metrics(http::Request& req, http::RequestContext& ctx);

private:
    obs::MetricsRegistry const& registry_;
    Probes probes_;
};

}  // namespace wx::api
