#include "http/error_envelope.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace wx::http {

Response error_response(ErrorEnvelope const& error, std::string_view request_id, unsigned version, bool keep_alive) {
    boost::json::object err;
    err["code"] = error.code;
    err["message"] = error.message;
    if (!error.details.empty()) {
        boost::json::array details;
        for (auto const& d : error.details)
            details.push_back(boost::json::object{{"field", d.field}, {"reason", d.reason}});
        err["details"] = std::move(details);
    }
    for (auto const& member : error.extra) err[member.key()] = member.value();
    boost::json::object body;
    body["error"] = std::move(err);
    body["request_id"] = request_id;

    Response res{error.http_status, version};
    res.set(bhttp::field::content_type, "application/json");
    res.set(bhttp::field::cache_control, "no-store");
    if (!error.www_authenticate.empty()) res.set(bhttp::field::www_authenticate, error.www_authenticate);
    if (error.retry_after_seconds) res.set(bhttp::field::retry_after, std::to_string(*error.retry_after_seconds));
    if (!error.allow.empty()) res.set(bhttp::field::allow, error.allow);
    res.keep_alive(keep_alive);
    res.body() = boost::json::serialize(body);
    res.prepare_payload();
    return res;
}

Response answer_error(ErrorEnvelope const& error, Request const& req, RequestContext& ctx) {
    ctx.failure.code = error.code;
    ctx.failure.reason = error.reason;
    return error_response(error, ctx.request_id, req.version(), req.keep_alive());
}

void throw_exception_from_error(ErrorEnvelope const& e, boost::source_location const&) {
    throw std::logic_error("result<T, ErrorEnvelope> accessed without a value: " + std::string{e.code});
}

}  // namespace wx::http
