#include "sim/simulator.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <stdexcept>

namespace wx::sim {

namespace errcode = wechat::errcode;

namespace {

namespace json = boost::json;

constexpr std::string_view kAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kOpenidChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::array<std::string_view, 4> kApis = {Simulator::kJscode2session, Simulator::kToken,
                                                   Simulator::kStableToken, Simulator::kPhoneNumber};
constexpr int kDataFormatError = 47001;
constexpr int kMissingCode = 41008;
constexpr int kMissingAccessToken = 41001;
constexpr int kInvalidGrantType = 40002;

std::string random_string(std::string_view alphabet, std::size_t n) {
    std::string out(n, '\0');
    for (auto& c : out) c = alphabet[randombytes_uniform(static_cast<std::uint32_t>(alphabet.size()))];
    return out;
}

std::string random_session_key() {
    std::array<unsigned char, 16> raw{};
    randombytes_buf(raw.data(), raw.size());
    std::array<char, 32> b64{};  // sodium_base64_ENCODED_LEN(16, ORIGINAL) == 25
    sodium_bin2base64(b64.data(), b64.size(), raw.data(), raw.size(), sodium_base64_VARIANT_ORIGINAL);
    return std::string{b64.data()};
}

// Like WeChat's: 28 characters starting with 'o'.
std::string random_openid() {
    std::string id = "o";  // appended, not "o" + ...: g++ 12 warns falsely (-Wrestrict) on that form
    id += random_string(kOpenidChars, 27);
    return id;
}

std::string random_rid() {
    return random_string(kHex, 8) + "-" + random_string(kHex, 8) + "-" + random_string(kHex, 8);
}

std::string_view param(Simulator::Params const& p, std::string_view key) {
    auto it = p.find(key);
    return it == p.end() ? std::string_view{} : std::string_view{it->second};
}

Simulator::Reply ok_reply(json::object const& body) { return {200, json::serialize(body), {}}; }

Simulator::Reply error_reply(int errcode) { return {200, simulated_error_body(errcode), {}}; }

std::optional<json::object> parse_object(std::string_view body) {
    error_code ec;
    json::value v = json::parse(body, ec);
    if (ec || !v.is_object()) return std::nullopt;
    return std::move(v.as_object());
}

std::string_view string_field(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    return v && v->is_string() ? std::string_view{v->get_string()} : std::string_view{};
}

bool is_digits(std::string const& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return c >= '0' && c <= '9'; });
}

// The phone fields as getuserphonenumber's phone_info and the legacy encrypted payload carry them.
json::object phone_info_object(std::string const& pure_phone,
                               std::string const& country_code,
                               std::string const& watermark_app_id,
                               std::int64_t now) {
    std::string const full = country_code == "86" ? pure_phone : "+" + country_code + pure_phone;
    json::object watermark{{"timestamp", now}, {"appid", watermark_app_id}};
    return json::object{{"phoneNumber", full},
                        {"purePhoneNumber", pure_phone},
                        {"countryCode", country_code},
                        {"watermark", std::move(watermark)}};
}

}  // namespace

void throw_exception_from_error(SimulatorError const& e, boost::source_location const&) {
    throw std::logic_error("simulator result accessed without a value: " + e.message);
}

std::string simulated_errmsg(int errcode) {
    std::string_view text;
    switch (errcode) {
        case errcode::system_busy:
            text = "system error";
            break;
        case errcode::invalid_credential:
            text = "invalid credential, access_token is invalid or not latest";
            break;
        case kInvalidGrantType:
            text = "invalid grant_type";
            break;
        case errcode::invalid_appid:
            text = "invalid appid";
            break;
        case errcode::invalid_access_token:
            text = "invalid access_token";
            break;
        case errcode::invalid_code:
            text = "invalid code";
            break;
        case errcode::invalid_appsecret:
            text = "invalid appsecret";
            break;
        case errcode::code_used:
            text = "code been used";
            break;
        case errcode::high_risk_user:
            text = "code blocked";
            break;
        case kMissingAccessToken:
            text = "access_token missing";
            break;
        case errcode::missing_appid:
            text = "appid missing";
            break;
        case errcode::missing_secret:
            text = "appsecret missing";
            break;
        case kMissingCode:
            text = "missing code";
            break;
        case errcode::access_token_expired:
            text = "access_token expired";
            break;
        case errcode::rate_limited:
            text = "api minute-quota reach limit  mustslower  retry next minute";
            break;
        case kDataFormatError:
            text = "data format error";
            break;
        default:
            text = "simulated error";
            break;
    }
    return std::string{text} + ", rid: " + random_rid();
}

std::string simulated_error_body(int errcode) {
    json::object o{{"errcode", errcode}, {"errmsg", simulated_errmsg(errcode)}};
    return json::serialize(o);
}

Simulator::Simulator(Clock const& clock, std::vector<wechat::AppCredentials> apps) : clock_(clock) {
    // Idempotent and thread-safe; makes randombytes usable even when main() did not run.
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    for (auto& a : apps) {
        if (a.app_id.empty()) throw std::invalid_argument("simulator app without an app_id");
        if (default_app_.empty()) default_app_ = a.app_id;
        apps_[a.app_id] = std::move(a.secret);
    }
    if (default_app_.empty()) default_app_ = std::string{kDefaultAppId};
}

std::string Simulator::default_app_id() const { return default_app_; }

bool Simulator::knows_app(std::string_view app_id) const { return apps_.empty() || apps_.contains(app_id); }

std::string Simulator::resolve_app(std::string app_id) const { return app_id.empty() ? default_app_ : app_id; }

int Simulator::check_app(std::string_view app_id, std::string_view secret) const {
    if (app_id.empty()) return errcode::missing_appid;
    if (secret.empty()) return errcode::missing_secret;
    if (apps_.empty()) return 0;
    auto it = apps_.find(app_id);
    if (it == apps_.end()) return errcode::invalid_appid;
    if (it->second != secret) return errcode::invalid_appsecret;
    return 0;
}

std::optional<Simulator::Fault> Simulator::begin_call(std::string_view api) {
    ++calls_[std::string{api}];
    // The API's own queue first, then the wildcard one.
    for (std::string_view key : {api, kAnyApi}) {
        auto it = faults_.find(key);
        if (it == faults_.end() || it->second.empty()) continue;
        Fault& front = it->second.front();
        Fault fault = front;
        if (--front.times <= 0) it->second.pop_front();
        return fault;
    }
    return std::nullopt;
}

std::optional<Simulator::Reply> Simulator::faulted_reply(Fault const& fault) {
    if (!fault.errcode && !fault.http_status && !fault.body) return std::nullopt;
    Reply r;
    r.status = fault.http_status.value_or(200);
    if (fault.body)
        r.body = *fault.body;
    else if (fault.errcode)
        r.body = simulated_error_body(*fault.errcode);
    else
        r.body = "<html><body><h1>" + std::to_string(r.status) + "</h1></body></html>";
    r.delay = fault.delay;
    return r;
}

std::string Simulator::issue_token(std::string const& app_id, std::int64_t now) {
    std::string token;
    do {
        token = random_string(kOpenidChars, 136);
    } while (tokens_.contains(token));
    tokens_[token] = TokenState{app_id, now + kTokenLifetime, false};
    return token;
}

template <class Normal>
Simulator::Reply Simulator::serve(std::string_view api, Normal const& normal) {
    std::lock_guard lock{mutex_};
    auto fault = begin_call(api);
    if (fault) {
        if (auto forced = faulted_reply(*fault)) return *forced;
    }
    Reply reply = normal();
    if (fault) reply.delay = fault->delay;
    return reply;
}

Simulator::Reply Simulator::jscode2session(Params const& query) {
    return serve(kJscode2session, [&]() -> Reply {
        std::string_view const app_id = param(query, "appid");
        std::string_view const code = param(query, "js_code");
        if (int e = check_app(app_id, param(query, "secret"))) return error_reply(e);
        if (code.empty()) return error_reply(kMissingCode);
        if (param(query, "grant_type") != "authorization_code") return error_reply(kInvalidGrantType);

        auto it = login_codes_.find(code);
        // A code minted for another appid is just as invalid as garbage (WeChat answers 40029).
        if (it == login_codes_.end() || it->second.app_id != app_id) return error_reply(errcode::invalid_code);
        CodeState& state = it->second;
        if (state.used) return error_reply(errcode::code_used);
        if (clock_.now() >= state.expires_at) return error_reply(errcode::invalid_code);
        state.used = true;

        User const& user = users_[{state.app_id, state.openid}];
        json::object body{{"session_key", user.session_key}, {"openid", state.openid}};
        if (user.unionid) body["unionid"] = *user.unionid;
        return ok_reply(body);
    });
}

Simulator::Reply Simulator::token(Params const& query) {
    return serve(kToken, [&]() -> Reply {
        std::string const app_id{param(query, "appid")};
        if (param(query, "grant_type") != "client_credential") return error_reply(kInvalidGrantType);
        if (int e = check_app(app_id, param(query, "secret"))) return error_reply(e);
        std::int64_t const now = clock_.now();
        // Each call replaces the previous token, which keeps working for 5 more minutes.
        if (auto prev = last_plain_.find(app_id); prev != last_plain_.end()) {
            if (auto t = tokens_.find(prev->second); t != tokens_.end())
                t->second.expires_at = std::min(t->second.expires_at, now + kTokenRenewWindow);
        }
        std::string token = issue_token(app_id, now);
        last_plain_[app_id] = token;
        return ok_reply(json::object{{"access_token", token}, {"expires_in", kTokenLifetime}});
    });
}

Simulator::Reply Simulator::stable_token(std::string_view body) {
    return serve(kStableToken, [&]() -> Reply {
        auto request = parse_object(body);
        if (!request) return error_reply(kDataFormatError);
        if (string_field(*request, "grant_type") != "client_credential") return error_reply(kInvalidGrantType);
        std::string const app_id{string_field(*request, "appid")};
        if (int e = check_app(app_id, string_field(*request, "secret"))) return error_reply(e);
        bool force = false;
        if (auto const* f = request->if_contains("force_refresh")) {
            if (!f->is_bool()) return error_reply(kDataFormatError);
            force = f->get_bool();
        }

        std::int64_t const now = clock_.now();
        StableSlot& slot = stable_[app_id];
        auto current = tokens_.find(slot.token);
        bool const usable = current != tokens_.end() && !current->second.revoked &&
                            now < current->second.expires_at - kTokenRenewWindow;
        if (force && current != tokens_.end()) current->second.revoked = true;
        // Normal mode hands out the same token until the platform renews it, 5 minutes before
        // expiry; the old one then simply runs out. force_refresh kills the old one at once.
        if (force || !usable) {
            slot.token = issue_token(app_id, now);
            slot.expires_at = now + kTokenLifetime;
        }
        return ok_reply(json::object{{"access_token", slot.token}, {"expires_in", slot.expires_at - now}});
    });
}

Simulator::Reply Simulator::phone_number(std::string_view access_token, std::string_view body) {
    return serve(kPhoneNumber, [&]() -> Reply {
        if (access_token.empty()) return error_reply(kMissingAccessToken);
        std::int64_t const now = clock_.now();
        auto t = tokens_.find(access_token);
        if (t == tokens_.end() || t->second.revoked) return error_reply(errcode::invalid_credential);
        if (now >= t->second.expires_at) return error_reply(errcode::access_token_expired);

        auto request = parse_object(body);
        if (!request) return error_reply(kDataFormatError);
        std::string_view const code = string_field(*request, "code");
        if (code.empty()) return error_reply(kDataFormatError);
        auto it = phone_codes_.find(code);
        // Reused, expired, unknown or another app's code: WeChat answers 40029 for all of them.
        if (it == phone_codes_.end() || it->second.used || it->second.app_id != t->second.app_id ||
            now >= it->second.expires_at)
            return error_reply(errcode::invalid_code);
        PhoneCode& pc = it->second;
        pc.used = true;

        json::object info = phone_info_object(pc.pure_phone, pc.country_code, pc.app_id, now);
        return ok_reply(json::object{{"errcode", 0}, {"errmsg", "ok"}, {"phone_info", std::move(info)}});
    });
}

result<Simulator::LoginCode, SimulatorError> Simulator::mint_login_code(std::string app_id,
                                                                        std::string openid,
                                                                        std::optional<std::string> unionid,
                                                                        std::string code) {
    std::lock_guard lock{mutex_};
    app_id = resolve_app(std::move(app_id));
    if (!knows_app(app_id)) return SimulatorError{"unknown app_id " + app_id};
    if (!code.empty() && login_codes_.contains(code)) return SimulatorError{"code already minted"};
    if (code.empty()) {
        do {
            code = random_string(kAlnum, 32);
        } while (login_codes_.contains(code));
    }
    if (openid.empty()) openid = random_openid();

    User& user = users_[{app_id, openid}];
    // Every wx.login may rotate the session_key; the newest one is the only valid one.
    user.session_key = random_session_key();
    if (unionid && !unionid->empty()) user.unionid = *unionid;
    login_codes_[code] = CodeState{app_id, openid, clock_.now() + kCodeLifetime, false};
    return LoginCode{code, app_id, openid, user.session_key, user.unionid};
}

result<std::string, SimulatorError> Simulator::mint_phone_code(std::string app_id,
                                                               std::string pure_phone,
                                                               std::string country_code) {
    std::lock_guard lock{mutex_};
    app_id = resolve_app(std::move(app_id));
    if (!knows_app(app_id)) return SimulatorError{"unknown app_id " + app_id};
    if (!is_digits(pure_phone) || pure_phone.size() > 20) return SimulatorError{"phone must be 1..20 digits"};
    if (!is_digits(country_code) || country_code.size() > 4) return SimulatorError{"country_code must be 1..4 digits"};
    std::string code;
    do {
        code = random_string(kAlnum, 64);
    } while (phone_codes_.contains(code));
    phone_codes_[code] =
        PhoneCode{app_id, std::move(pure_phone), std::move(country_code), clock_.now() + kCodeLifetime, false};
    // Spelled out: SimulatorError is constructible from a string too.
    return {boost::system::in_place_value, std::move(code)};
}

result<void, SimulatorError> Simulator::inject(Fault fault) {
    bool const known = fault.api == kAnyApi || std::find(kApis.begin(), kApis.end(), fault.api) != kApis.end();
    if (!known) return SimulatorError{"api must be one of jscode2session, token, stable_token, getuserphonenumber, *"};
    if (fault.times < 1 || fault.times > 1000) return SimulatorError{"times must be 1..1000"};
    if (fault.delay.count() < 0 || fault.delay > kMaxDelay) return SimulatorError{"delay_ms must be 0..60000"};
    if (fault.http_status && (*fault.http_status < 100 || *fault.http_status > 599))
        return SimulatorError{"http_status must be 100..599"};
    if (!fault.errcode && !fault.http_status && !fault.body && fault.delay.count() == 0)
        return SimulatorError{"a fault needs errcode, http_status, body or delay_ms"};
    std::lock_guard lock{mutex_};
    faults_[fault.api].push_back(std::move(fault));
    return {};
}

result<std::size_t, SimulatorError> Simulator::expire_access_token(std::string app_id) {
    return end_access_tokens(std::move(app_id), TokenEnd::expire);
}

result<std::size_t, SimulatorError> Simulator::revoke_access_token(std::string app_id) {
    return end_access_tokens(std::move(app_id), TokenEnd::revoke);
}

result<std::size_t, SimulatorError> Simulator::end_access_tokens(std::string app_id, TokenEnd how) {
    std::lock_guard lock{mutex_};
    app_id = resolve_app(std::move(app_id));
    if (!knows_app(app_id)) return SimulatorError{"unknown app_id " + app_id};
    std::int64_t const now = clock_.now();
    std::size_t n = 0;
    for (auto& [token, state] : tokens_) {
        if (state.app_id != app_id || state.revoked || state.expires_at <= now) continue;
        if (how == TokenEnd::expire)
            state.expires_at = now;  // 42001 from now on
        else
            state.revoked = true;  // 40001 from now on
        ++n;
    }
    // The next stable_token call issues a fresh token.
    stable_.erase(app_id);
    last_plain_.erase(app_id);
    return n;
}

result<wechat::EncryptedData, SimulatorError> Simulator::encrypt_phone_number(std::string app_id,
                                                                              std::string const& openid,
                                                                              std::string pure_phone,
                                                                              std::string country_code,
                                                                              std::string watermark_app_id) {
    std::lock_guard lock{mutex_};
    app_id = resolve_app(std::move(app_id));
    if (!knows_app(app_id)) return SimulatorError{"unknown app_id " + app_id};
    if (!is_digits(pure_phone) || pure_phone.size() > 20) return SimulatorError{"phone must be 1..20 digits"};
    if (!is_digits(country_code) || country_code.size() > 4) return SimulatorError{"country_code must be 1..4 digits"};
    auto user = users_.find({app_id, openid});
    if (user == users_.end()) return SimulatorError{"no login code was minted for this openid"};
    if (watermark_app_id.empty()) watermark_app_id = app_id;
    json::object info = phone_info_object(pure_phone, country_code, watermark_app_id, clock_.now());
    return wechat::encrypt_open_data(user->second.session_key, json::serialize(info));
}

void Simulator::reset() {
    std::lock_guard lock{mutex_};
    login_codes_.clear();
    users_.clear();
    phone_codes_.clear();
    tokens_.clear();
    stable_.clear();
    last_plain_.clear();
    faults_.clear();
    calls_.clear();
}

std::uint64_t Simulator::calls(std::string_view api) const {
    std::lock_guard lock{mutex_};
    auto it = calls_.find(api);
    return it == calls_.end() ? 0 : it->second;
}

std::map<std::string, std::uint64_t> Simulator::call_counts() const {
    std::lock_guard lock{mutex_};
    std::map<std::string, std::uint64_t> out;
    for (auto api : kApis) out[std::string{api}] = 0;
    for (auto const& [api, n] : calls_) out[api] = n;
    return out;
}

std::size_t Simulator::pending_faults() const {
    std::lock_guard lock{mutex_};
    std::size_t n = 0;
    for (auto const& [api, queue] : faults_)
        for (auto const& f : queue) n += static_cast<std::size_t>(f.times);
    return n;
}

}  // namespace wx::sim
