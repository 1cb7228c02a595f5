// The layering of DESIGN.md, enforced: which folder of src/ may include which, checked on every
// source file of the tree and on the link lines of src/CMakeLists.txt. The checker is tested on
// synthetic input first, so a green run means "no forbidden include", not "nothing was read".
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

namespace wx::test {
namespace {

// ---- The allowed includes between the folders of src/: amend HERE (and DESIGN.md) -----------
// Besides the folders listed, every folder may include its own headers and core/. "*" is every
// folder of the table. No folder but app/ lists app/: nothing includes app/.
struct Layer {
    std::string_view folder;
    std::vector<std::string_view> may_include;
};
std::vector<Layer> const kLayers = {
    {"app", {"*"}},
    {"api", {"auth", "wechat", "store", "http", "obs"}},
    {"sim", {"http", "wechat", "obs"}},  // the WeChat simulator
    {"auth", {"store", "obs"}},
    {"wechat", {"store", "obs"}},
    {"http", {"obs"}},
    {"store", {"obs"}},
    {"obs", {}},
    {"core", {}},
};
// -----------------------------------------------------------------------------------------------

struct Violation {
    std::string file;
    std::size_t line = 0;  // 0 for a CMake target
    std::string what;      // the include or link
    std::string why;
};

std::string to_string(Violation const& v) {
    std::string s = v.file;
    if (v.line) s.append(":").append(std::to_string(v.line));
    s.append(": ").append(v.what).append(": ").append(v.why);
    return s;
}

Layer const* layer_of(std::vector<Layer> const& layers, std::string_view folder) {
    for (auto const& l : layers)
        if (l.folder == folder) return &l;
    return nullptr;
}

// Empty when `from` may include (or link) `to`, else why not.
std::string forbidden(std::vector<Layer> const& layers, std::string_view from, std::string_view to) {
    Layer const* source = layer_of(layers, from);
    if (!source) return "folder " + std::string{from} + "/ is not in the layering table";
    if (!layer_of(layers, to)) return "folder " + std::string{to} + "/ is not in the layering table";
    if (to == from || to == "core") return {};
    for (auto allowed : source->may_include)
        if (allowed == to || (allowed == "*" && to != from)) return {};
    return std::string{from} + "/ may not include " + std::string{to} + "/";
}

// The forbidden includes of one file; `file` is its path below src/ ("api/auth_api.cpp").
std::vector<Violation> check_includes(std::vector<Layer> const& layers,
                                      std::string const& file,
                                      std::string_view text) {
    std::vector<Violation> out;
    std::string_view const folder = std::string_view{file}.substr(0, file.find('/'));
    if (file.find('/') == std::string::npos || !layer_of(layers, folder)) {
        out.push_back({file, 0, "the file", "is not in a folder of the layering table"});
        return out;
    }
    static std::regex const include{R"(^\s*#\s*include\s*(["<])([^">]*)[">])"};
    std::istringstream in{std::string{text}};
    std::string line;
    bool in_comment = false;
    for (std::size_t n = 1; std::getline(in, line); ++n) {
        if (in_comment) {
            auto end = line.find("*/");
            if (end == std::string::npos) continue;
            in_comment = false;
            line = line.substr(end + 2);
        }
        std::smatch m;
        if (std::regex_search(line, m, include)) {
            std::string const path = m[2].str();
            std::string const spelled = "#include " + m[1].str() + path + (m[1] == "<" ? ">" : "\"");
            auto slash = path.find('/');
            if (path.find("..") != std::string::npos) {
                out.push_back({file, n, spelled, "a relative include may leave the folder: name it from src/"});
            } else if (slash != std::string::npos) {
                std::string const target = path.substr(0, slash);
                // <boost/...> and the like are not ours; a quoted include is always one of ours.
                bool const ours = m[1] == "\"" || layer_of(layers, target);
                if (ours)
                    if (auto why = forbidden(layers, folder, target); !why.empty())
                        out.push_back({file, n, spelled, why});
            }
        }
        auto open = line.rfind("/*");
        if (open != std::string::npos && line.find("*/", open) == std::string::npos) in_comment = true;
    }
    return out;
}

// The link lines of src/CMakeLists.txt: a wx_<folder> target may link only what its folder may include.
std::vector<Violation> check_links(std::vector<Layer> const& layers,
                                   std::string const& file,
                                   std::string const& cmake) {
    std::vector<Violation> out;
    static std::regex const call{R"(target_link_libraries\s*\(\s*(\w+)([^)]*)\))"};
    static std::regex const lib{R"(\bwx_(\w+))"};
    for (auto it = std::sregex_iterator(cmake.begin(), cmake.end(), call); it != std::sregex_iterator(); ++it) {
        std::string const target = (*it)[1].str();
        if (target.rfind("wx_", 0) != 0 || target == "wx_options") continue;  // the executable, the warning flags
        std::string const from = target.substr(3);
        std::string const deps = (*it)[2].str();
        for (auto d = std::sregex_iterator(deps.begin(), deps.end(), lib); d != std::sregex_iterator(); ++d) {
            std::string const to = (*d)[1].str();
            if (to == "options") continue;
            if (auto why = forbidden(layers, from, to); !why.empty())
                out.push_back({file, 0, target + " links wx_" + to, why});
        }
    }
    return out;
}

std::string joined(std::vector<Violation> const& vs) {
    std::string s;
    for (auto const& v : vs) s += to_string(v) + "\n";
    return s;
}

// ---- the checker on synthetic input -----------------------------------------------------------

TEST(LayeringChecker, ReportsAForbiddenIncludeWithFileLineAndInclude) {
    auto vs = check_includes(kLayers, "api/x.cpp", "#include \"api/x.hpp\"\n\n#include \"app/app.hpp\"\n");
    ASSERT_EQ(vs.size(), 1u) << joined(vs);
    EXPECT_EQ(vs[0].file, "api/x.cpp");
    EXPECT_EQ(vs[0].line, 3u);
    EXPECT_EQ(vs[0].what, "#include \"app/app.hpp\"");
    EXPECT_EQ(to_string(vs[0]), "api/x.cpp:3: #include \"app/app.hpp\": api/ may not include app/");
}

TEST(LayeringChecker, EveryRuleOfTheTable) {
    struct Case {
        std::string file;
        std::string include;
        bool allowed;
    };
    Case const cases[] = {
        {"app/a.cpp", "api/x.hpp", true},       {"app/a.cpp", "sim/x.hpp", true},
        {"app/a.cpp", "store/x.hpp", true},     {"app/a.cpp", "app/x.hpp", true},
        {"api/a.cpp", "auth/x.hpp", true},      {"api/a.cpp", "wechat/x.hpp", true},
        {"api/a.cpp", "store/x.hpp", true},     {"api/a.cpp", "http/x.hpp", true},
        {"api/a.cpp", "obs/x.hpp", true},       {"api/a.cpp", "core/x.hpp", true},
        {"api/a.cpp", "sim/x.hpp", false},      {"api/a.cpp", "app/x.hpp", false},
        {"sim/a.cpp", "http/x.hpp", true},      {"sim/a.cpp", "wechat/x.hpp", true},
        {"sim/a.cpp", "obs/x.hpp", true},       {"sim/a.cpp", "api/x.hpp", false},
        {"sim/a.cpp", "store/x.hpp", false},    {"sim/a.cpp", "auth/x.hpp", false},
        {"auth/a.cpp", "store/x.hpp", true},    {"auth/a.cpp", "obs/x.hpp", true},
        {"auth/a.cpp", "http/x.hpp", false},    {"auth/a.cpp", "wechat/x.hpp", false},
        {"wechat/a.cpp", "store/x.hpp", true},  {"wechat/a.cpp", "http/x.hpp", false},
        {"wechat/a.cpp", "auth/x.hpp", false},  {"http/a.cpp", "obs/x.hpp", true},
        {"http/a.cpp", "api/x.hpp", false},     {"http/a.cpp", "store/x.hpp", false},
        {"store/a.cpp", "obs/x.hpp", true},     {"store/a.cpp", "auth/x.hpp", false},
        {"store/a.cpp", "wechat/x.hpp", false}, {"store/a.cpp", "http/x.hpp", false},
        {"obs/a.cpp", "core/x.hpp", true},      {"obs/a.cpp", "http/x.hpp", false},
        {"core/a.hpp", "core/x.hpp", true},     {"core/a.hpp", "obs/x.hpp", false},
        {"sim/a.cpp", "app/x.hpp", false},      {"store/a.cpp", "app/x.hpp", false},
    };
    for (auto const& c : cases) {
        auto vs = check_includes(kLayers, c.file, "#include \"" + c.include + "\"\n");
        EXPECT_EQ(vs.size(), c.allowed ? 0u : 1u) << c.file << " -> " << c.include << "\n" << joined(vs);
    }
}

TEST(LayeringChecker, SpellingsOfAnInclude) {
    EXPECT_EQ(check_includes(kLayers, "http/a.hpp", "  #  include   \"api/x.hpp\"  // why\n").size(), 1u);
    EXPECT_EQ(check_includes(kLayers, "http/a.hpp", "#include <api/x.hpp>\n").size(), 1u);
    EXPECT_EQ(check_includes(kLayers, "http/a.hpp", "#include <boost/json.hpp>\n#include <vector>\n").size(), 0u);
    EXPECT_EQ(check_includes(kLayers, "http/a.hpp", "#include \"router.hpp\"\n").size(), 0u);  // its own folder
    auto relative = check_includes(kLayers, "http/a.hpp", "#include \"../api/x.hpp\"\n");
    ASSERT_EQ(relative.size(), 1u);
    EXPECT_NE(relative[0].why.find("relative"), std::string::npos);
}

TEST(LayeringChecker, CommentedIncludesAreNotIncludes) {
    std::string const text =
        "// #include \"app/app.hpp\"\n"
        "/* an example:\n"
        "#include \"app/app.hpp\"\n"
        "*/\n"
        "#include \"store/x.hpp\"\n";
    auto vs = check_includes(kLayers, "http/a.cpp", text);
    ASSERT_EQ(vs.size(), 1u) << joined(vs);
    EXPECT_EQ(vs[0].line, 5u);  // only the real one, after the comment
}

TEST(LayeringChecker, FoldersOutsideTheTableAreReported) {
    EXPECT_EQ(check_includes(kLayers, "redis/a.cpp", "#include \"obs/log.hpp\"\n").size(), 1u);
    EXPECT_EQ(check_includes(kLayers, "stray.cpp", "").size(), 1u);
    auto vs = check_includes(kLayers, "api/a.cpp", "#include \"redis/client.hpp\"\n");
    ASSERT_EQ(vs.size(), 1u);
    EXPECT_NE(vs[0].why.find("not in the layering table"), std::string::npos);
}

TEST(LayeringChecker, LinkLines) {
    std::string const cmake =
        "add_library(wx_store STATIC store/a.cpp)\n"
        "target_link_libraries(wx_store PUBLIC wx_core wx_obs\n"
        "    SQLite::SQLite3 wx_auth)\n"
        "target_link_libraries(wx_api PUBLIC wx_http wx_obs wx_wechat wx_auth wx_store PRIVATE PkgConfig::SODIUM)\n"
        "target_link_libraries(wx_http PUBLIC wx_core wx_options wx_api)\n"
        "target_link_libraries(wxlogin PRIVATE wx_app)\n";
    auto vs = check_links(kLayers, "src/CMakeLists.txt", cmake);
    ASSERT_EQ(vs.size(), 2u) << joined(vs);
    EXPECT_EQ(to_string(vs[0]), "src/CMakeLists.txt: wx_store links wx_auth: store/ may not include auth/");
    EXPECT_EQ(vs[1].what, "wx_http links wx_api");
}

// ---- the real tree ------------------------------------------------------------------------------

std::string read_file(std::filesystem::path const& p) {
    std::ifstream in{p, std::ios::binary};
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Layering, NoFileOfSrcIncludesWhatItsFolderMayNot) {
    std::filesystem::path const src = std::filesystem::path{WX_SOURCE_DIR} / "src";
    ASSERT_TRUE(std::filesystem::is_directory(src)) << src;
    std::vector<Violation> all;
    std::size_t files = 0;
    for (auto const& entry : std::filesystem::recursive_directory_iterator(src)) {
        if (!entry.is_regular_file()) continue;
        std::string const ext = entry.path().extension().string();
        if (ext != ".cpp" && ext != ".hpp" && ext != ".h" && ext != ".ipp") continue;
        ++files;
        auto vs = check_includes(kLayers, std::filesystem::relative(entry.path(), src).generic_string(),
                                 read_file(entry.path()));
        all.insert(all.end(), vs.begin(), vs.end());
    }
    EXPECT_GT(files, 50u);  // the walk really read the tree
    EXPECT_TRUE(all.empty()) << joined(all);
}

TEST(Layering, LinkLinesOfSrcCMakeListsAgreeWithTheTable) {
    std::filesystem::path const file = std::filesystem::path{WX_SOURCE_DIR} / "src" / "CMakeLists.txt";
    std::string const cmake = read_file(file);
    ASSERT_NE(cmake.find("target_link_libraries(wx_api"), std::string::npos) << file;
    auto vs = check_links(kLayers, "src/CMakeLists.txt", cmake);
    EXPECT_TRUE(vs.empty()) << joined(vs);
}

}  // namespace
}  // namespace wx::test
