#include "api/require_auth.hpp"

#include <charconv>

#include "api/error_mapping.hpp"
#include "store/errors.hpp"

namespace wx::api {
namespace {

// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), or empty.
// Two Authorization headers are a malformed request, not a choice: a gateway that read the other
// one would disagree with us about who is calling.
std::string_view bearer_token(http::Request const& req) {
    auto [it, end] = req.equal_range(http::bhttp::field::authorization);
    if (it == end || std::next(it) != end) return {};
    std::string_view v = it->value();
    constexpr std::string_view kScheme = "bearer ";
    if (v.size() <= kScheme.size()) return {};
    for (std::size_t i = 0; i < kScheme.size(); ++i)
        if (std::tolower(static_cast<unsigned char>(v[i])) != kScheme[i]) return {};
    v.remove_prefix(kScheme.size());
    while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
    while (!v.empty() && v.back() == ' ') v.remove_suffix(1);
    if (v.find(' ') != std::string_view::npos) return {};
    return v;
}

}  // namespace

Task<http::Response> RequireAuth::handle(http::Request& req, http::RequestContext& ctx, http::Next next) const {
    std::string_view token = bearer_token(req);
    if (token.empty()) co_return fail(ApiError{ErrorCode::unauthorized}, req, ctx);
    auto claims = jwt_.verify(token);
    if (!claims) co_return fail(to_api_error(claims.error()), req, ctx);
    switch (revocations_.check(claims->sid)) {
        case store::RevocationList::Status::live:
            break;
        case store::RevocationList::Status::revoked:
            co_return fail(ApiError{ErrorCode::token_revoked}, req, ctx);
        case store::RevocationList::Status::unknown: {
            ApiError e{ErrorCode::unavailable};
            e.retry_after_seconds = 1;
            co_return fail(e, req, ctx);
        }
    }

    std::int64_t user_id = 0;
    auto const& sub = claims->sub;
    auto [p, ec] = std::from_chars(sub.data(), sub.data() + sub.size(), user_id);
    if (ec != std::errc{} || p != sub.data() + sub.size() || user_id <= 0)
        co_return fail(ApiError{ErrorCode::token_invalid}, req, ctx);

    auto user = co_await users_.get(user_id);
    if (!user) {
        if (user.error() == store::Errc::not_found) co_return fail(ApiError{ErrorCode::token_revoked}, req, ctx);
        co_return fail(to_api_error(user.error()), req, ctx);
    }
    auto const& u = (*user)->user;
    if (u.disabled) co_return fail(ApiError{ErrorCode::token_revoked}, req, ctx);

    ctx.principal = http::Principal{user_id, std::move(claims->sid), std::move(claims->jti), claims->exp, u.role};
    co_return co_await next(req, ctx);
}

}  // namespace wx::api
