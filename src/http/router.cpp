#include "http/router.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <stdexcept>

#include "http/percent_decoding.hpp"
#include "http/transport_errors.hpp"
#include "obs/metrics.hpp"

namespace wx::http {
namespace {

constexpr std::string_view kUnmatched = "<unmatched>";

std::string_view path_of(std::string_view target) {
    auto q = target.find_first_of("?#");
    return q == std::string_view::npos ? target : target.substr(0, q);
}

// The method a request is routed by (see the class comment on X-HTTP-Method-Override).
verb routed_method(Request const& req) {
    if (req.method() != verb::post) return req.method();
    auto it = req.find("X-HTTP-Method-Override");
    if (it == req.end()) return verb::post;
    std::string_view v = it->value();
    constexpr std::string_view kPatch = "PATCH";
    bool const patch = v.size() == kPatch.size() && std::equal(v.begin(), v.end(), kPatch.begin(), [](char a, char b) {
                           return std::toupper(static_cast<unsigned char>(a)) == b;
                       });
    return patch ? verb::patch : verb::post;
}

Task<Response> answer(ErrorEnvelope error, Request const& req, RequestContext& ctx) {
    co_return answer_error(error, req, ctx);
}

// 1..2^63-1 in canonical decimal: digits only, no sign, no leading zero.
std::optional<std::int64_t> positive_integer(std::string_view s) {
    constexpr std::size_t kMaxDigits = 19;  // INT64_MAX has 19 digits; 19 nines still fit in uint64
    if (s.empty() || s.size() > kMaxDigits || s.front() == '0') return std::nullopt;
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (v > static_cast<std::uint64_t>(INT64_MAX)) return std::nullopt;
    return static_cast<std::int64_t>(v);
}

bool is_parameter_name(std::string_view name) {
    if (name.empty() || (name.front() >= '0' && name.front() <= '9')) return false;
    for (char c : name)
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
    return true;
}

[[noreturn]] void bad_template(std::string const& path, std::string_view why) {
    throw std::invalid_argument("route template " + path + ": " + std::string{why});
}

}  // namespace

// A path template split into segments, and the resource it names.
class Router::Template {
public:
    static std::unique_ptr<Template> parse(std::string const& path) {
        auto t = std::make_unique<Template>();
        if (path.empty() || path.front() != '/') bad_template(path, "must start with '/'");
        std::string_view rest = std::string_view{path}.substr(1);
        for (;;) {
            auto slash = rest.find('/');
            std::string_view piece = rest.substr(0, slash);
            t->segments_.push_back(segment(path, piece, *t));
            if (slash == std::string_view::npos) break;
            rest.remove_prefix(slash + 1);
        }
        return t;
    }

    // True when `path` has exactly these segments and every parameter parses; fills `out`.
    bool matches(std::string_view path, PathParams& out) const {
        std::size_t pos = 0;
        for (auto const& seg : segments_) {
            if (pos >= path.size() || path[pos] != '/') return false;
            ++pos;
            std::size_t end = std::min(path.find('/', pos), path.size());
            std::string_view piece = path.substr(pos, end - pos);
            pos = end;
            switch (seg.kind) {
                case Kind::literal:
                    if (piece != seg.text) return false;
                    break;
                case Kind::integer: {
                    auto v = positive_integer(piece);
                    if (!v) return false;
                    out.add_integer(seg.text, std::string{piece}, *v);
                    break;
                }
                case Kind::text: {
                    if (piece.empty()) return false;
                    auto decoded = percent_decode(piece, Plus::literal);
                    if (!decoded || decoded->empty() || !is_valid_utf8(*decoded)) return false;
                    out.add_text(seg.text, std::move(*decoded));
                    break;
                }
            }
        }
        return pos == path.size();
    }

    // Segment by segment from the left: a literal before {name:int} before {name}.
    [[nodiscard]] bool more_specific_than(Template const& other) const {
        return std::lexicographical_compare(
            segments_.begin(), segments_.end(), other.segments_.begin(), other.segments_.end(),
            [](Segment const& a, Segment const& b) { return static_cast<int>(a.kind) < static_cast<int>(b.kind); });
    }

    // Matches exactly the paths `other` matches (the two differ at most in parameter names).
    [[nodiscard]] bool same_paths_as(Template const& other) const {
        return std::equal(segments_.begin(), segments_.end(), other.segments_.begin(), other.segments_.end(),
                          [](Segment const& a, Segment const& b) {
                              return a.kind == b.kind && (a.kind != Kind::literal || a.text == b.text);
                          });
    }

    Resource resource;

private:
    enum class Kind { literal = 0, integer = 1, text = 2 };  // the order is the precedence
    struct Segment {
        Kind kind;
        std::string text;  // the literal, or the parameter's name
    };

    static Segment segment(std::string const& path, std::string_view piece, Template const& so_far) {
        if (piece.empty()) bad_template(path, "has an empty segment");
        bool const braces = piece.find_first_of("{}") != std::string_view::npos;
        if (!braces) return {Kind::literal, std::string{piece}};
        if (piece.size() < 3 || piece.front() != '{' || piece.back() != '}')
            bad_template(path, "a parameter must be a whole segment {name} or {name:int}");
        std::string_view inner = piece.substr(1, piece.size() - 2);
        auto colon = inner.find(':');
        std::string_view name = inner.substr(0, colon);
        std::string_view type = colon == std::string_view::npos ? std::string_view{} : inner.substr(colon + 1);
        if (!is_parameter_name(name)) bad_template(path, "a parameter name is [a-z_][a-z0-9_]*");
        if (colon != std::string_view::npos && type != "int") bad_template(path, "the only parameter type is int");
        for (auto const& s : so_far.segments_)
            if (s.kind != Kind::literal && s.text == name) bad_template(path, "repeats a parameter name");
        return {type == "int" ? Kind::integer : Kind::text, std::string{name}};
    }

    std::vector<Segment> segments_;
};

Router::Router(std::vector<Middleware const*> global, obs::HttpMetrics* metrics)
    : global_(std::move(global)), metrics_(metrics) {
    if (metrics_) unmatched_metric_ = metrics_->add_route(kUnmatched);
    not_found_handler_ = [](Request& req, RequestContext& ctx) { return answer(not_found_error(), req, ctx); };
}

Router::~Router() = default;

Router::Resource& Router::resource_for(std::string const& path) {
    Resource* r = nullptr;
    if (path.find_first_of("{}") == std::string::npos) {
        auto [it, inserted] = exact_.try_emplace(path);
        if (!inserted) return it->second;
        r = &it->second;
    } else {
        for (auto const& t : templates_)
            if (t->resource.path == path) return t->resource;
        auto t = Template::parse(path);
        for (auto const& other : templates_)
            if (other->same_paths_as(*t)) bad_template(path, "matches the same paths as " + other->resource.path);
        auto pos = std::upper_bound(templates_.begin(), templates_.end(), t,
                                    [](auto const& a, auto const& b) { return a->more_specific_than(*b); });
        r = &(*templates_.insert(pos, std::move(t)))->resource;
    }
    r->path = path;
    if (metrics_) r->metric = metrics_->add_route(path);
    return *r;
}

void Router::add(verb method, std::string path, Handler handler, std::initializer_list<Middleware const*> per_route) {
    Resource& r = resource_for(path);
    auto route = std::make_unique<Route>();
    route->method = method;
    route->path = r.path;
    route->handler = std::move(handler);
    route->chain = global_;
    route->chain.insert(route->chain.end(), per_route.begin(), per_route.end());
    route->metric = r.metric;
    if (!r.allow.empty()) r.allow += ", ";
    r.allow += bhttp::to_string(method);
    r.routes.push_back(std::move(route));
}

Router::Match Router::resolve(Resource const& resource, verb method, PathParams params) const {
    for (auto const& r : resource.routes)
        if (r->method == method) return {Outcome::found, r.get(), {}, {}, r->metric, std::move(params)};
    return {Outcome::method_not_allowed, nullptr, resource.allow, resource.path, resource.metric, std::move(params)};
}

Router::Match Router::match(verb method, std::string_view target) const {
    std::string_view path = path_of(target);
    // Exact paths first: one hash lookup, and the only step for the hot routes.
    if (auto it = exact_.find(path); it != exact_.end()) return resolve(it->second, method, {});
    PathParams params;
    for (auto const& t : templates_) {
        if (t->matches(path, params)) return resolve(t->resource, method, std::move(params));
        params.clear();
    }
    return {Outcome::not_found, nullptr, {}, {}, 0, {}};
}

Task<Response> Router::dispatch(Request& req, RequestContext& ctx) const {
    Match m = match(routed_method(req), req.target());
    switch (m.outcome) {
        case Outcome::found: {
            ctx.route = m.route->path;
            ctx.route_metric = m.route->metric;
            ctx.path_params = std::move(m.params);
            Next next{m.route->chain, m.route->handler};
            co_return co_await next(req, ctx);
        }
        case Outcome::method_not_allowed: {
            ctx.route = m.path;
            ctx.route_metric = m.metric;
            Handler handler = [error = method_not_allowed_error(std::string{m.allow})](Request& r, RequestContext& c) {
                return answer(error, r, c);
            };
            Next next{global_, handler};
            co_return co_await next(req, ctx);
        }
        case Outcome::not_found: {
            ctx.route = kUnmatched;
            ctx.route_metric = unmatched_metric_;
            Next next{global_, not_found_handler_};
            co_return co_await next(req, ctx);
        }
    }
    co_return answer_error(internal_error(), req, ctx);
}

Task<Response> Router::reject(Request& req, RequestContext& ctx, ErrorEnvelope error) const {
    ctx.route = kUnmatched;
    ctx.route_metric = unmatched_metric_;
    Handler handler = [error = std::move(error)](Request& r, RequestContext& c) { return answer(error, r, c); };
    Next next{global_, handler};
    co_return co_await next(req, ctx);
}

}  // namespace wx::http
