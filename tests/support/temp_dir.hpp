#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace wx::test {

// A fresh directory under the system temp dir, removed with everything in it on destruction.
class TempDir {
public:
    explicit TempDir(std::string_view prefix = "wxlogin-test");
    TempDir(TempDir const&) = delete;
    TempDir& operator=(TempDir const&) = delete;
    ~TempDir();

    [[nodiscard]] std::filesystem::path const& path() const { return path_; }
    // Writes `content` to path()/name and returns the full path.
    std::filesystem::path write(std::string_view name, std::string_view content) const;

private:
    std::filesystem::path path_;
};

}  // namespace wx::test
