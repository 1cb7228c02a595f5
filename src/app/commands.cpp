#include "app/commands.hpp"

#include <iostream>

#include "app/app.hpp"
#include "obs/log.hpp"

namespace wx::app {

int run_serve(Config cfg) {
    if (cfg.dev) {
        obs::log_warn("DEV MODE: not for production; these settings were filled in with local defaults");
        for (auto const& d : cfg.dev_defaults) obs::log_warn("DEV MODE default", {{"setting", d}});
    }
    App app{std::move(cfg)};
    return app.run();
}

int run_migrate(Config const&) {
    std::cerr << "wxlogin: migrate is not available yet\n";
    return 1;
}

}  // namespace wx::app
