// Wiring of the real WeChat client.
#include "app/late_bound_wechat.hpp"
#include "wechat/client.hpp"

namespace wx::app {

std::unique_ptr<wechat::WeChatApi> make_wechat_client(WeChatConfig const& wechat) {
    return std::make_unique<wechat::Client>(wechat.api_base, wechat.timeout);
}

}  // namespace wx::app
