#include "http/response.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/serialize.hpp>

namespace wx::http {

Response json_response(status code, boost::json::value const& body, Request const& req) {
    return text_response(code, boost::json::serialize(body), "application/json", req);
}

Response empty_response(status code, Request const& req) {
    Response res{code, req.version()};
    res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    return res;
}

Response text_response(status code, std::string body, std::string_view content_type, Request const& req) {
    Response res{code, req.version()};
    res.set(bhttp::field::content_type, content_type);
    res.set(bhttp::field::cache_control, "no-store");
    res.keep_alive(req.keep_alive());
    res.body() = std::move(body);
    res.prepare_payload();
    return res;
}

}  // namespace wx::http
