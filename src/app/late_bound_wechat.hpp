#pragma once

#include <memory>
#include <string>

#include "app/config.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::app {

// The real WeChat client for the configured API base (https://, or http:// for a simulator) and timeout.
[[nodiscard]] std::unique_ptr<wechat::WeChatApi> make_wechat_client(WeChatConfig const& wechat);

// Forwards to a client chosen after construction: under `serve --dev` the embedded simulator's
// address is known only once the server has bound its port.
// Thread safety: bind() before serving; the calls may then run concurrently.
class LateBoundWeChat final : public wechat::WeChatApi {
public:
    explicit LateBoundWeChat(std::unique_ptr<wechat::WeChatApi> impl) : impl_(std::move(impl)) {}
    void bind(std::unique_ptr<wechat::WeChatApi> impl) { impl_ = std::move(impl); }

    Task<result<wechat::Session>> code_to_session(wechat::AppCredentials const& app, std::string code) override {
        return impl_->code_to_session(app, std::move(code));
    }
    Task<result<wechat::AccessToken>> stable_token(wechat::AppCredentials const& app, bool force_refresh) override {
        return impl_->stable_token(app, force_refresh);
    }
    Task<result<wechat::PhoneInfo>> phone_number(std::string access_token, std::string phone_code) override {
        return impl_->phone_number(std::move(access_token), std::move(phone_code));
    }

private:
    std::unique_ptr<wechat::WeChatApi> impl_;
};

}  // namespace wx::app
