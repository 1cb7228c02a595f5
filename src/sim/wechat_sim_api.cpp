#include "sim/wechat_sim_api.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>

#include "http/json_body.hpp"
#include "http/response.hpp"
#include "http/transport_errors.hpp"

namespace wx::sim {
namespace {

namespace json = boost::json;
namespace urls = boost::urls;

// Query parameters decoded the way WeChat's servers decode them: as a form, so a literal '+' is
// a space. A client that forgets to percent-encode '+' in a code fails here as it would there.
Simulator::Params query_of(http::Request const& req) {
    Simulator::Params params;
    auto u = urls::parse_origin_form(req.target());
    if (!u) return params;
    for (auto const& p : u->params())
        if (!params.contains(p.key)) params.emplace(p.key, p.value);
    return params;
}

http::Response error(http::ErrorEnvelope const& e, http::Request const& req, http::RequestContext& ctx) {
    return http::answer_error(e, req, ctx);
}

// The control endpoints take JSON, but an empty body stands for {} where every field is optional.
result<json::object, http::ErrorEnvelope> optional_body(http::Request const& req) {
    if (req.body().empty()) return json::object{};
    return http::parse_json_object(req);
}

std::optional<std::int64_t> integer_field(json::object const& o, std::string_view key, http::FieldReader& fields) {
    auto const* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    fields.fail(key, "not_an_integer");
    return std::nullopt;
}

http::ErrorEnvelope simulator_error(SimulatorError const& e) { return http::invalid_request_error(e.message); }

}  // namespace

Task<http::Response> WeChatSimApi::answer(Simulator::Reply reply, http::Request const& req) {
    if (reply.delay.count() > 0) {
        // A timer on this connection's executor: a slow reply never holds an I/O thread.
        auto executor = co_await asio::this_coro::executor;
        asio::steady_timer timer{executor};
        timer.expires_after(reply.delay);
        auto [ec] = co_await timer.async_wait(use_result);
        (void)ec;
    }
    // WeChat answers JSON labelled text/plain.
    co_return http::text_response(static_cast<http::status>(reply.status), std::move(reply.body), "text/plain", req);
}

Task<http::Response> WeChatSimApi::jscode2session(http::Request& req, http::RequestContext&) {
    Simulator::Reply reply = sim_.jscode2session(query_of(req));
    co_return co_await answer(std::move(reply), req);
}

Task<http::Response> WeChatSimApi::token(http::Request& req, http::RequestContext&) {
    Simulator::Reply reply = sim_.token(query_of(req));
    co_return co_await answer(std::move(reply), req);
}

Task<http::Response> WeChatSimApi::stable_token(http::Request& req, http::RequestContext&) {
    Simulator::Reply reply = sim_.stable_token(req.body());
    co_return co_await answer(std::move(reply), req);
}

Task<http::Response> WeChatSimApi::phone_number(http::Request& req, http::RequestContext&) {
    auto query = query_of(req);
    auto token = query.find("access_token");
    std::string_view access_token = token == query.end() ? std::string_view{} : std::string_view{token->second};
    Simulator::Reply reply = sim_.phone_number(access_token, req.body());
    co_return co_await answer(std::move(reply), req);
}

Task<http::Response> WeChatSimApi::control_login_code(http::Request& req, http::RequestContext& ctx) {
    auto body = optional_body(req);
    if (!body) co_return error(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto app_id = fields.optional_string("app_id", {.min = 1, .max = 64});
    auto openid = fields.optional_string("openid", {.min = 1, .max = 128});
    auto unionid = fields.optional_string("unionid", {.min = 1, .max = 128});
    auto code = fields.optional_string("code", {.min = 1, .max = 256});
    if (!fields.ok()) co_return error(fields.error(), req, ctx);

    auto minted = sim_.mint_login_code(app_id.value_or(""), openid.value_or(""), unionid, code.value_or(""));
    if (!minted) co_return error(simulator_error(minted.error()), req, ctx);
    json::object out{{"code", minted->code},
                     {"openid", minted->openid},
                     {"session_key", minted->session_key},
                     {"app_id", minted->app_id}};
    if (minted->unionid) out["unionid"] = *minted->unionid;
    co_return http::json_response(http::status::ok, out, req);
}

Task<http::Response> WeChatSimApi::control_phone_code(http::Request& req, http::RequestContext& ctx) {
    auto body = http::parse_json_object(req);
    if (!body) co_return error(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto app_id = fields.optional_string("app_id", {.min = 1, .max = 64});
    auto phone = fields.required_string("phone", {.min = 1, .max = 20});
    auto country_code = fields.optional_string("country_code", {.min = 1, .max = 4});
    if (!fields.ok()) co_return error(fields.error(), req, ctx);

    auto minted = sim_.mint_phone_code(app_id.value_or(""), *phone, country_code.value_or("86"));
    if (!minted) co_return error(simulator_error(minted.error()), req, ctx);
    co_return http::json_response(http::status::ok, json::object{{"code", *minted}}, req);
}

Task<http::Response> WeChatSimApi::control_fail(http::Request& req, http::RequestContext& ctx) {
    auto body = http::parse_json_object(req);
    if (!body) co_return error(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto api = fields.required_string("api", {.min = 1, .max = 32});
    auto reply_body = fields.optional_string("body", {.max = 64 * 1024});
    auto errcode = integer_field(*body, "errcode", fields);
    auto http_status = integer_field(*body, "http_status", fields);
    auto delay_ms = integer_field(*body, "delay_ms", fields);
    auto times = integer_field(*body, "times", fields);
    if (errcode && (*errcode < INT32_MIN || *errcode > INT32_MAX)) fields.fail("errcode", "out_of_range");
    if (http_status && (*http_status < 100 || *http_status > 599)) fields.fail("http_status", "out_of_range");
    if (delay_ms && (*delay_ms < 0 || *delay_ms > Simulator::kMaxDelay.count()))
        fields.fail("delay_ms", "out_of_range");
    if (times && (*times < 1 || *times > 1000)) fields.fail("times", "out_of_range");
    if (!fields.ok()) co_return error(fields.error(), req, ctx);

    Simulator::Fault fault;
    fault.api = *api;
    if (errcode) fault.errcode = static_cast<int>(*errcode);
    if (http_status) fault.http_status = static_cast<unsigned>(*http_status);
    fault.body = std::move(reply_body);
    fault.delay = std::chrono::milliseconds{delay_ms.value_or(0)};
    fault.times = static_cast<int>(times.value_or(1));
    auto queued = sim_.inject(std::move(fault));
    if (!queued) co_return error(simulator_error(queued.error()), req, ctx);
    json::object out{{"pending_faults", sim_.pending_faults()}};
    co_return http::json_response(http::status::ok, out, req);
}

Task<http::Response> WeChatSimApi::control_expire_access_token(http::Request& req, http::RequestContext& ctx) {
    return end_access_tokens(req, ctx, &Simulator::expire_access_token, "expired");
}

Task<http::Response> WeChatSimApi::control_revoke_access_token(http::Request& req, http::RequestContext& ctx) {
    return end_access_tokens(req, ctx, &Simulator::revoke_access_token, "revoked");
}

Task<http::Response> WeChatSimApi::end_access_tokens(http::Request& req,
                                                     http::RequestContext& ctx,
                                                     EndTokens end,
                                                     std::string_view count_name) {
    auto body = optional_body(req);
    if (!body) co_return error(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto app_id = fields.optional_string("app_id", {.min = 1, .max = 64});
    if (!fields.ok()) co_return error(fields.error(), req, ctx);
    auto ended = (sim_.*end)(app_id.value_or(""));
    if (!ended) co_return error(simulator_error(ended.error()), req, ctx);
    co_return http::json_response(http::status::ok, json::object{{count_name, *ended}}, req);
}

Task<http::Response> WeChatSimApi::control_encrypted_phone(http::Request& req, http::RequestContext& ctx) {
    auto body = http::parse_json_object(req);
    if (!body) co_return error(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto app_id = fields.optional_string("app_id", {.min = 1, .max = 64});
    auto openid = fields.required_string("openid", {.min = 1, .max = 128});
    auto phone = fields.required_string("phone", {.min = 1, .max = 20});
    auto country_code = fields.optional_string("country_code", {.min = 1, .max = 4});
    auto watermark_app_id = fields.optional_string("watermark_app_id", {.min = 1, .max = 64});
    if (!fields.ok()) co_return error(fields.error(), req, ctx);

    auto sealed = sim_.encrypt_phone_number(app_id.value_or(""), *openid, *phone, country_code.value_or("86"),
                                            watermark_app_id.value_or(""));
    if (!sealed) co_return error(simulator_error(sealed.error()), req, ctx);
    json::object out{{"encrypted_data", sealed->encrypted_data}, {"iv", sealed->iv}};
    co_return http::json_response(http::status::ok, out, req);
}

Task<http::Response> WeChatSimApi::control_stats(http::Request& req, http::RequestContext&) {
    json::object calls;
    for (auto const& [api, n] : sim_.call_counts()) calls[api] = n;
    json::object out{{"calls", std::move(calls)},
                     {"pending_faults", sim_.pending_faults()},
                     {"default_app_id", sim_.default_app_id()}};
    co_return http::json_response(http::status::ok, out, req);
}

Task<http::Response> WeChatSimApi::control_reset(http::Request& req, http::RequestContext&) {
    sim_.reset();
    co_return http::empty_response(http::status::no_content, req);
}

}  // namespace wx::sim
