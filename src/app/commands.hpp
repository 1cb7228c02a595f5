#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "app/config.hpp"
#include "core/clock.hpp"

namespace wx::app {

// `wxlogin serve`: announce --dev defaults, run the App on `clock` until SIGTERM/SIGINT.
int run_serve(Config cfg, Clock const& clock);
// `wxlogin wechat-sim`: the WeChat simulator on its own listener until SIGTERM/SIGINT. `apps` are
// "APPID:SECRET" registrations (none: any appid/secret is accepted); `clock` ages its codes and tokens.
int run_wechat_sim(std::string const& listen, std::vector<std::string> const& apps, Clock const& clock);
// `wxlogin migrate`: create or upgrade the schema (`clock` stamps the versions applied), then exit.
int run_migrate(Config const& cfg, Clock const& clock);
// `wxlogin admin set-role`: the schema brought up to date, then the role written through the change
// log (running MySQL instances see it within 1 s). Exit 0, 1 for an unknown user or a database
// failure (SQLite: the service holds the file while it runs).
int run_admin_set_role(Config const& cfg, std::int64_t user_id, std::string const& role, Clock const& clock);

}  // namespace wx::app
