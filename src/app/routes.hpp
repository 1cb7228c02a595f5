#pragma once

#include <string>
#include <string_view>

#include "http/router.hpp"
#include "sim/wechat_sim_api.hpp"

namespace wx::app {

// Where `serve --dev` mounts the embedded WeChat simulator on its own server.
inline constexpr std::string_view kEmbeddedSimulatorPrefix = "/wechat-sim";

// The WeChat simulator's endpoints under `prefix`: "" for `wxlogin wechat-sim`,
// kEmbeddedSimulatorPrefix for `serve --dev`. Defined in routes.cpp beside the service's routes.
void add_wechat_sim_routes(http::Router& router, sim::WeChatSimApi& api, std::string const& prefix);

}  // namespace wx::app
