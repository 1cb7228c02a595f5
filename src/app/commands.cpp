#include "app/commands.hpp"

#include <iostream>

#include "app/app.hpp"
#include "app/database_factory.hpp"
#include "core/sync_wait.hpp"
#include "obs/log.hpp"
#include "store/account_lifecycle.hpp"
#include "store/errors.hpp"

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

int run_admin_set_role(Config const& cfg, std::int64_t user_id, std::string const& role, Clock const& clock) {
    BlockingPool pool{"admin", 1, 1};
    auto backend = open_backend(cfg.database, cfg.db_pool, pool, clock);
    if (auto r = backend->migrate(); !r) {
        std::cerr << "wxlogin: the database cannot be prepared: " << r.error().message() << "\n";
        return 1;
    }
    store::AccountLifecycle lifecycle{*backend};
    auto updated = sync_wait(lifecycle.set_role(user_id, role, clock.now()));
    if (!updated) {
        if (updated.error() == store::Errc::not_found) {
            std::cerr << "wxlogin: no user " << user_id << "\n";
        } else {
            std::cerr << "wxlogin: setting the role failed: " << updated.error().message() << "\n";
        }
        return 1;
    }
    obs::log_info("audit", {{"type", "admin_set_role"},
                            {"actor", "command_line"},
                            {"target", user_id},
                            {"action", "set_role"},
                            {"reason", role}});
    std::cout << "wxlogin: user " << user_id << " now has the role " << role << "\n";
    return 0;
}

}  // namespace wx::app
