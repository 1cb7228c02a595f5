#include "obs/log.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <cstdio>
#include <mutex>

namespace wx::obs {
namespace {

// How log() renders fields for the process-wide spdlog logger; set with it by init_logging. Part
// of the one accepted global (STYLE.md rule 13), which spdlog owns.
std::atomic<LogFormat> g_format{LogFormat::text};

// stderr, written in batches: spdlog's own stderr sink flushes after every line, one write(2) per
// request under load. Lines are written when 32 KiB have gathered, on every warning or error,
// and at least once a second (flush_every), so nothing waits long and a crash loses at most a second.
class BatchedStderrSink final : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(spdlog::details::log_msg const& msg) override {
        spdlog::memory_buf_t formatted;
        formatter_->format(msg, formatted);
        buffer_.append(formatted.data(), formatted.size());
        if (buffer_.size() >= kBatchBytes) flush_();
    }
    void flush_() override {
        std::size_t done = 0;
        while (done < buffer_.size()) {
            ssize_t n = ::write(STDERR_FILENO, buffer_.data() + done, buffer_.size() - done);
            if (n <= 0) break;  // nowhere to log to: drop the batch rather than block
            done += static_cast<std::size_t>(n);
        }
        buffer_.clear();
    }

private:
    static constexpr std::size_t kBatchBytes = 32 * 1024;
    std::string buffer_;
};

spdlog::level::level_enum to_spdlog(LogLevel level) {
    switch (level) {
        case LogLevel::debug:
            return spdlog::level::debug;
        case LogLevel::info:
            return spdlog::level::info;
        case LogLevel::warn:
            return spdlog::level::warn;
        case LogLevel::error:
            return spdlog::level::err;
        case LogLevel::off:
            return spdlog::level::off;
    }
    return spdlog::level::info;
}

void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    for (unsigned char c : s) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20) {
                    char buf[8];
                    std::snprintf(buf, sizeof buf, "\\u%04x", c);
                    out += buf;
                } else {
                    out += static_cast<char>(c);
                }
        }
    }
    out += '"';
}

// Text values are quoted only when they would otherwise be ambiguous.
void append_text_value(std::string& out, std::string_view s) {
    bool plain = !s.empty() && s.find_first_of(" \"=\n\r\t") == std::string_view::npos;
    if (plain)
        out += s;
    else
        append_json_string(out, s);
}

// std::to_chars: no locale, no allocation (snprintf("%.3f") was a visible share of a request).
template <class N, class... Format>
void append_number(std::string& out, N v, Format... format) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v, format...);
    if (ec == std::errc{}) out.append(buf, end);
}

void append_value(std::string& out, LogFormat format, Field const& f) {
    std::visit(
        [&](auto const& v) {
            using V = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<V, std::string_view>) {
                if (format == LogFormat::json)
                    append_json_string(out, v);
                else
                    append_text_value(out, v);
            } else if constexpr (std::is_same_v<V, bool>) {
                out += v ? "true" : "false";
            } else if constexpr (std::is_same_v<V, double>) {
                append_number(out, v, std::chars_format::fixed, 3);
            } else {
                append_number(out, v);
            }
        },
        f.value);
}

void render_fields_into(std::string& out, LogFormat format, std::string_view event, std::span<Field const> fields) {
    if (format == LogFormat::json) {
        out += "\"event\":";
        append_json_string(out, event);
        for (auto const& f : fields) {
            out += ',';
            append_json_string(out, f.key);
            out += ':';
            append_value(out, format, f);
        }
    } else {
        out += event;
        for (auto const& f : fields) {
            out += ' ';
            out += f.key;
            out += '=';
            append_value(out, format, f);
        }
    }
}

}  // namespace

std::string render_fields(LogFormat format, std::string_view event, std::span<Field const> fields) {
    std::string out;
    render_fields_into(out, format, event, fields);
    return out;
}

void init_logging(LogFormat format, LogLevel level) {
    g_format.store(format);
    // Synchronous logger over a batching sink: an asynchronous queue would wake its thread for
    // nearly every line (a futex and a context switch per request), which costs more than the
    // append itself; the batch write happens at most once per 32 KiB.
    auto sink = std::make_shared<BatchedStderrSink>();
    auto logger = std::make_shared<spdlog::logger>("wxlogin", sink);
    if (format == LogFormat::json)
        logger->set_pattern(R"({"ts":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l",%v})", spdlog::pattern_time_type::utc);
    else
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %-5l %v", spdlog::pattern_time_type::utc);
    logger->set_level(to_spdlog(level));
    logger->flush_on(spdlog::level::warn);
    spdlog::set_default_logger(logger);
    spdlog::flush_every(std::chrono::seconds(1));
}

void flush_logs() {
    if (auto logger = spdlog::default_logger()) logger->flush();
}

bool log_enabled(LogLevel level) { return spdlog::default_logger_raw()->should_log(to_spdlog(level)); }

void log(LogLevel level, std::string_view event, std::span<Field const> fields) {
    auto* logger = spdlog::default_logger_raw();
    auto lvl = to_spdlog(level);
    if (!logger->should_log(lvl)) return;
    // One line buffer per thread, reused: an access log line per request costs no allocation.
    thread_local std::string line;
    line.clear();
    render_fields_into(line, g_format.load(std::memory_order_relaxed), event, fields);
    logger->log(lvl, std::string_view{line});
}

}  // namespace wx::obs
