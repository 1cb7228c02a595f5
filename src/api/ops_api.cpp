#include "api/ops_api.hpp"

#include <boost/json/object.hpp>

#include "http/response.hpp"

namespace wx::api {

Task<http::Response> OpsApi::healthz(http::Request& req, http::RequestContext&) {
    // A constant body: liveness probes come often, and building JSON for them was 8 % of the work.
    co_return http::text_response(http::status::ok, std::string{R"({"status":"ok"})"}, "application/json", req);
}

Task<http::Response> OpsApi::readyz(http::Request& req, http::RequestContext&) {
    bool const draining = probes_.draining && probes_.draining();
    bool db_ok = true;
    if (probes_.database) db_ok = co_await probes_.database();
    std::string redis = "disabled";
    if (probes_.redis) redis = co_await probes_.redis();
    // A dependency down leaves the instance useful (token checks need neither: revocations and
    // users are in memory), so it stays in the load balancer as `degraded`; only an instance that
    // cannot serve at all — draining after SIGTERM — is `down` (API.md, /readyz).
    char const* status = draining ? "down" : (db_ok && redis != "down") ? "ok" : "degraded";
    boost::json::object body{{"status", status},
                             {"checks", boost::json::object{{"database", db_ok ? "ok" : "down"}, {"redis", redis}}}};
    co_return http::json_response(draining ? http::status::service_unavailable : http::status::ok, body, req);
}

Task<http::Response> OpsApi::metrics(http::Request& req, http::RequestContext&) {
    co_return http::text_response(http::status::ok, registry_.render(), "text/plain; version=0.0.4; charset=utf-8",
                                  req);
}

}  // namespace wx::api
