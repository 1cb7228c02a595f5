#include "http/json_duplicate_keys.hpp"

#include <algorithm>
#include <boost/json/basic_parser_impl.hpp>
#include <vector>

namespace wx::http {
namespace {

// A Boost.JSON parse handler that sees only object keys: one list of keys per open object,
// checked when the object closes.
struct KeyCollector {
    static constexpr std::size_t max_object_size = std::size_t(-1);
    static constexpr std::size_t max_array_size = std::size_t(-1);
    static constexpr std::size_t max_key_size = std::size_t(-1);
    static constexpr std::size_t max_string_size = std::size_t(-1);

    std::vector<std::vector<std::string>> open;  // one entry per open object
    std::string key;                             // the key being read, across parts
    std::optional<std::string> duplicate;

    using ec_t = boost::json::error_code;
    bool on_document_begin(ec_t&) { return true; }
    bool on_document_end(ec_t&) { return true; }
    bool on_array_begin(ec_t&) { return true; }
    bool on_array_end(std::size_t, ec_t&) { return true; }
    bool on_object_begin(ec_t&) {
        open.emplace_back();
        return true;
    }
    bool on_object_end(std::size_t, ec_t&) {
        auto& keys = open.back();
        std::sort(keys.begin(), keys.end());
        if (auto twice = std::adjacent_find(keys.begin(), keys.end()); twice != keys.end() && !duplicate)
            duplicate = *twice;
        open.pop_back();
        return true;
    }
    bool on_string_part(boost::json::string_view, std::size_t, ec_t&) { return true; }
    bool on_string(boost::json::string_view, std::size_t, ec_t&) { return true; }
    bool on_key_part(boost::json::string_view s, std::size_t, ec_t&) {
        key.append(s.data(), s.size());
        return true;
    }
    bool on_key(boost::json::string_view s, std::size_t, ec_t&) {
        key.append(s.data(), s.size());
        open.back().push_back(std::move(key));
        key.clear();
        return true;
    }
    bool on_number_part(boost::json::string_view, ec_t&) { return true; }
    bool on_int64(std::int64_t, boost::json::string_view, ec_t&) { return true; }
    bool on_uint64(std::uint64_t, boost::json::string_view, ec_t&) { return true; }
    bool on_double(double, boost::json::string_view, ec_t&) { return true; }
    bool on_bool(bool, ec_t&) { return true; }
    bool on_null(ec_t&) { return true; }
    bool on_comment_part(boost::json::string_view, ec_t&) { return true; }
    bool on_comment(boost::json::string_view, ec_t&) { return true; }
};

}  // namespace

std::optional<std::string> first_duplicate_key(std::string_view json, unsigned max_depth) {
    boost::json::parse_options opts;
    opts.max_depth = max_depth;
    boost::json::basic_parser<KeyCollector> parser{opts};
    boost::json::error_code ec;
    parser.write_some(false, json.data(), json.size(), ec);
    if (ec) return std::nullopt;
    return std::move(parser.handler().duplicate);
}

}  // namespace wx::http
