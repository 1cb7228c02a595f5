// Configuration loading: load_config over a TOML file of fuzz bytes plus WXLOGIN_* variables.
// A bad value is a ConfigError naming the key; any other exception escapes to libFuzzer and is a
// finding. A configuration that loads must have passed validation (a JWT secret of 32 bytes or a
// key file, an app with a secret).
//
// Input: the TOML file; after the first NUL byte, environment lines `NAME=value`.
// The file is written to a private temporary directory, removed at exit. Inputs that could name a
// special file (a FIFO would block the key-file probe) are skipped: a path under /dev, /proc, /sys
// or /run, or a string escape that could spell one.
#include "app/config.hpp"

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>

namespace {

class TempDir {
public:
    TempDir() {
        auto base = std::filesystem::temp_directory_path() / "wxlogin-fuzz-config-XXXXXX";
        std::string tmpl = base.string();
        if (!mkdtemp(tmpl.data())) __builtin_trap();
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] std::filesystem::path const& path() const { return path_; }

private:
    std::filesystem::path path_;
};

bool names_a_special_file(std::string_view in) {
    for (std::string_view bad : {"/dev", "/proc", "/sys", "/run", "\\u", "\\U", "\\\n", "\\\r", "\\ ", "\\\t"})
        if (in.find(bad) != std::string_view::npos) return true;
    return false;
}

wx::app::Environment environment_of(std::string_view lines) {
    wx::app::Environment env;
    while (!lines.empty()) {
        auto eol = lines.find('\n');
        std::string_view line = lines.substr(0, eol);
        lines.remove_prefix(eol == std::string_view::npos ? lines.size() : eol + 1);
        auto eq = line.find('=');
        if (eq == std::string_view::npos) continue;
        env.insert_or_assign(std::string{line.substr(0, eq)}, std::string{line.substr(eq + 1)});
    }
    return env;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static TempDir const dir;
    static std::string const file = (dir.path() / "wxlogin.toml").string();
    std::string_view in{reinterpret_cast<char const*>(data), size};
    if (names_a_special_file(in)) return 0;
    auto nul = in.find('\0');
    std::string_view toml = in.substr(0, nul);
    std::string_view env_lines = nul == std::string_view::npos ? std::string_view{} : in.substr(nul + 1);
    {
        std::ofstream out(file, std::ios::binary | std::ios::trunc);
        out.write(toml.data(), static_cast<std::streamsize>(toml.size()));
        if (!out) __builtin_trap();
    }
    try {
        wx::app::Config c = wx::app::load_config(file, environment_of(env_lines), false);
        if (c.jwt.key_file.empty() && c.jwt.secret.size() < 32) __builtin_trap();
        if (c.wechat.apps.empty() || c.wechat.apps.front().app_id.empty() || c.wechat.apps.front().secret.empty())
            __builtin_trap();
        if (c.io_threads == 0) __builtin_trap();
    } catch (wx::app::ConfigError const&) {
    }
    return 0;
}
