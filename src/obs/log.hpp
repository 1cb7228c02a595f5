#pragma once
// Structured logging over spdlog: one event name plus key=value fields, rendered as a text line
// or as a JSON object. Values that could be secret or personal must go through obs/mask.hpp first.

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <variant>

namespace wx::obs {

enum class LogFormat { text, json };
enum class LogLevel { debug, info, warn, error, off };

struct Field {
    std::string_view key;
    std::variant<std::string_view, std::int64_t, double, bool> value;

    Field(std::string_view k, std::string_view v) : key(k), value(v) {}
    Field(std::string_view k, char const* v) : key(k), value(std::string_view{v}) {}
    Field(std::string_view k, std::string const& v) : key(k), value(std::string_view{v}) {}
    template <class I>
    requires std::is_integral_v<I> &&(!std::is_same_v<I, bool>)Field(std::string_view k, I v)
        : key(k), value(static_cast<std::int64_t>(v)) {}
    Field(std::string_view k, double v) : key(k), value(v) {}
    Field(std::string_view k, bool v) : key(k), value(v) {}
};

// Sets up the process-wide logger: spdlog's default logger, written to stderr in batches of up to
// 32 KiB, flushed at least once a second and at once for warnings and errors.
void init_logging(LogFormat format, LogLevel level);
void flush_logs();

[[nodiscard]] bool log_enabled(LogLevel level);
// A line whose fields vary at run time (a span); the initializer_list overload is the usual one.
void log(LogLevel level, std::string_view event, std::span<Field const> fields);
inline void log(LogLevel level, std::string_view event, std::initializer_list<Field> fields = {}) {
    log(level, event, std::span<Field const>{fields.begin(), fields.size()});
}

inline void log_debug(std::string_view event, std::initializer_list<Field> fields = {}) {
    log(LogLevel::debug, event, fields);
}
inline void log_info(std::string_view event, std::initializer_list<Field> fields = {}) {
    log(LogLevel::info, event, fields);
}
inline void log_warn(std::string_view event, std::initializer_list<Field> fields = {}) {
    log(LogLevel::warn, event, fields);
}
inline void log_error(std::string_view event, std::initializer_list<Field> fields = {}) {
    log(LogLevel::error, event, fields);
}

// Renders fields the way log() does; exposed for tests.
[[nodiscard]] std::string render_fields(LogFormat format, std::string_view event, std::span<Field const> fields);
[[nodiscard]] inline std::string render_fields(LogFormat format,
                                               std::string_view event,
                                               std::initializer_list<Field> fields) {
    return render_fields(format, event, std::span<Field const>{fields.begin(), fields.size()});
}

}  // namespace wx::obs
