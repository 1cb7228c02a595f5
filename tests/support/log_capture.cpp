#include "support/log_capture.hpp"

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <sstream>

namespace wx::test {

struct LogCapture::State {
    std::ostringstream out;
    std::shared_ptr<spdlog::logger> previous;
};

LogCapture::LogCapture(obs::LogLevel level) : state_(std::make_unique<State>()) {
    state_->previous = spdlog::default_logger();
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(state_->out);
    auto logger = std::make_shared<spdlog::logger>("capture", sink);
    logger->set_pattern("%l %v");
    switch (level) {
        case obs::LogLevel::debug:
            logger->set_level(spdlog::level::debug);
            break;
        case obs::LogLevel::info:
            logger->set_level(spdlog::level::info);
            break;
        case obs::LogLevel::warn:
            logger->set_level(spdlog::level::warn);
            break;
        case obs::LogLevel::error:
            logger->set_level(spdlog::level::err);
            break;
        case obs::LogLevel::off:
            logger->set_level(spdlog::level::off);
            break;
    }
    spdlog::set_default_logger(std::move(logger));
}

LogCapture::~LogCapture() { spdlog::set_default_logger(state_->previous); }

std::string LogCapture::text() const { return state_->out.str(); }

}  // namespace wx::test
