// WXLOGIN_CONSOLE: off by default, on under --dev, and either way as the key says.
#include <gtest/gtest.h>

#include <string>

#include "app/config.hpp"

namespace wx::test {
namespace {

using app::ConfigError;
using app::Environment;
using app::load_config;

Environment production_env() {
    return {{"WXLOGIN_JWT_SECRET", std::string(32, 's')},
            {"WXLOGIN_WECHAT_APPID", "wx1234567890abcdef"},
            {"WXLOGIN_WECHAT_SECRET", "0123456789abcdef0123456789abcdef"}};
}

Environment with_console(Environment env, std::string value) {
    env["WXLOGIN_CONSOLE"] = std::move(value);
    return env;
}

TEST(ConsoleConfig, OffByDefaultOnUnderDev) {
    EXPECT_FALSE(load_config(std::nullopt, production_env(), false).console);
    EXPECT_TRUE(load_config(std::nullopt, {}, true).console);
}

TEST(ConsoleConfig, TheKeyWinsEitherWay) {
    EXPECT_TRUE(load_config(std::nullopt, with_console(production_env(), "on"), false).console);
    EXPECT_FALSE(load_config(std::nullopt, with_console({}, "off"), true).console);
    EXPECT_FALSE(load_config(std::nullopt, with_console(production_env(), "off"), false).console);
}

TEST(ConsoleConfig, AnotherValueNamesTheKey) {
    for (std::string bad : {"yes", "ON", "1", "", "true"}) {
        try {
            (void)load_config(std::nullopt, with_console(production_env(), bad), false);
            ADD_FAILURE() << "accepted WXLOGIN_CONSOLE=" << bad;
        } catch (ConfigError const& e) {
            EXPECT_NE(std::string{e.what()}.find("WXLOGIN_CONSOLE"), std::string::npos) << e.what();
        }
    }
}

TEST(ConsoleConfig, ListedInTheHelp) { EXPECT_NE(app::config_help().find("WXLOGIN_CONSOLE"), std::string::npos); }

}  // namespace
}  // namespace wx::test
