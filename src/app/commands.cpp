#include "app/commands.hpp"

#include <iostream>

#include "app/app.hpp"
#include "app/database_factory.hpp"
#include "obs/log.hpp"

namespace wx::app {

int run_serve(Config cfg, Clock const& clock) {
    if (cfg.dev) {
        obs::log_warn("DEV MODE: not for production; these settings were filled in with local defaults");
        for (auto const& d : cfg.dev_defaults) obs::log_warn("DEV MODE default", {{"setting", d}});
    }
    App app{std::move(cfg), clock};
    return app.run();
}

int run_migrate(Config const& cfg, Clock const& clock) {
    BlockingPool pool{"migrate", 1, 1};
    auto backend = open_backend(cfg.database, cfg.db_pool, pool, clock);
    if (auto r = backend->migrate(); !r) {
        std::cerr << "wxlogin: migration failed: " << r.error().message() << "\n";
        return 1;
    }
    std::cout << "wxlogin: schema is up to date\n";
    return 0;
}

}  // namespace wx::app
