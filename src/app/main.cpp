// wxlogin: WeChat mini-program login service. Parses the command line, loads the configuration
// and hands over to App (serve), the simulator (wechat-sim), the migrator (migrate) or the
// account tool (admin).
#include <sodium.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "app/app.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "core/clock.hpp"
#include "obs/log.hpp"

namespace {

constexpr int kExitConfig = 2;

}  // namespace

int main(int argc, char** argv) {
    wx::app::block_shutdown_signals();
    if (sodium_init() < 0) {
        std::cerr << "wxlogin: libsodium failed to initialise\n";
        return 1;
    }

    CLI::App cli{"wxlogin " WX_VERSION " - WeChat mini-program login service"};
    cli.footer("\n" + wx::app::config_help());
    cli.set_version_flag("--version", "wxlogin " WX_VERSION);
    cli.require_subcommand(1);

    std::optional<std::string> config_file;
    bool dev = false;
    auto* serve = cli.add_subcommand("serve", "run the service");
    serve->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);
    serve->add_flag("--dev", dev, "fill what is missing with safe local defaults (SQLite, random secret, simulator)");

    std::string sim_listen = "127.0.0.1:9090";
    auto* sim = cli.add_subcommand("wechat-sim", "run the WeChat API simulator for local development and tests");
    sim->add_option("--listen", sim_listen, "address:port to serve on")->capture_default_str();
    std::vector<std::string> sim_apps;
    sim->add_option("--app", sim_apps, "APPID:SECRET to accept (repeatable; none: accept any)");

    auto* migrate = cli.add_subcommand("migrate", "create or upgrade the database schema");
    migrate->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);

    std::int64_t admin_user = 0;
    std::string admin_role;
    auto* admin = cli.add_subcommand("admin", "administer accounts directly in the database");
    admin->require_subcommand(1);
    auto* set_role = admin->add_subcommand("set-role", "grant or take the admin role (bootstraps the first admin)");
    set_role->add_option("--user", admin_user, "user id")
        ->required()
        ->check(CLI::Range(std::int64_t{1}, std::numeric_limits<std::int64_t>::max()));
    set_role->add_option("--role", admin_role, "admin or user")->required()->check(CLI::IsMember({"admin", "user"}));
    set_role->add_option("--config", config_file, "TOML configuration file")->check(CLI::ExistingFile);

    try {
        cli.parse(argc, argv);
    } catch (CLI::CallForHelp const& e) {
        return cli.exit(e);
    } catch (CLI::CallForAllHelp const& e) {
        return cli.exit(e);
    } catch (CLI::CallForVersion const& e) {
        return cli.exit(e);
    } catch (CLI::ParseError const& e) {
        (void)cli.exit(e);   // prints the problem and the usage
        return kExitConfig;  // a usage error, like a configuration error (API.md "Command line")
    }

    // The one wall clock of the process, handed to whatever runs.
    wx::SystemClock const clock;
    try {
        if (*sim) return wx::app::run_wechat_sim(sim_listen, sim_apps, clock);
        auto env = wx::app::process_environment();
        wx::app::Config cfg;
        try {
            // migrate and admin need only the database: give them the dev defaults for the rest.
            cfg = wx::app::load_config(config_file, env, dev || *migrate || *admin);
        } catch (wx::app::ConfigError const& e) {
            std::cerr << "wxlogin: configuration error: " << e.what() << "\n";
            return kExitConfig;
        }
        wx::obs::init_logging(cfg.log_format, cfg.log_level);
        if (*migrate) return wx::app::run_migrate(cfg, clock);
        if (*set_role) return wx::app::run_admin_set_role(cfg, admin_user, admin_role, clock);
        return wx::app::run_serve(std::move(cfg), clock);
    } catch (std::exception const& e) {
        wx::obs::log_error("fatal", {{"error", e.what()}});
        wx::obs::flush_logs();
        std::cerr << "wxlogin: " << e.what() << "\n";
        return 1;
    }
}
