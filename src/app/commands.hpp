#pragma once

#include <string>

#include "app/config.hpp"

namespace wx::app {

// `wxlogin serve`: announce --dev defaults, run the App until SIGTERM/SIGINT.
int run_serve(Config cfg);
// `wxlogin wechat-sim`: the WeChat simulator on its own listener.
int run_wechat_sim(std::string const& listen);
// `wxlogin migrate`: create or upgrade the schema, then exit.
int run_migrate(Config const& cfg);

}  // namespace wx::app
