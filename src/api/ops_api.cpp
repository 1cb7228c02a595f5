#include "api/ops_api.hpp"

#include <boost/json/object.hpp>

#include "http/response.hpp"

namespace wx::api {

Task<http::Response> OpsApi::healthz(http::Request& req, http::RequestContext&) {
    co_return http::json_response(http::status::ok, boost::json::object{{"status", "ok"}}, req);
}

Task<http::Response> OpsApi::readyz(http::Request& req, http::RequestContext&) {
    bool const draining = probes_.draining && probes_.draining();
    bool db_ok = true;
    if (probes_.database) db_ok = co_await probes_.database();
    std::string redis = "disabled";
    if (probes_.redis) redis = co_await probes_.redis();
    // Redis holds the shared revocation copy: without it protected endpoints fail closed, so a
    // Redis outage makes the instance not ready just like a database outage.
    bool const up = !draining && db_ok && redis != "down";
    boost::json::object body{{"status", up ? "ok" : "down"},
                             {"checks", boost::json::object{{"database", db_ok ? "ok" : "down"}, {"redis", redis}}}};
    co_return http::json_response(up ? http::status::ok : http::status::service_unavailable, body, req);
}

Task<http::Response> OpsApi::metrics(http::Request& req, http::RequestContext&) {
    co_return http::text_response(http::status::ok, registry_.render(), "text/plain; version=0.0.4; charset=utf-8",
                                  req);
}

}  // namespace wx::api
