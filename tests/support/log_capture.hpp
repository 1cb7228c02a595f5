#pragma once
// Sends the process-wide log (spdlog's default logger, the one accepted global) to memory for the
// life of the object, so that a unit test can read what was logged. Restores the previous logger.

#include <memory>
#include <string>

#include "obs/log.hpp"

namespace wx::test {

class LogCapture {
public:
    explicit LogCapture(obs::LogLevel level = obs::LogLevel::debug);
    LogCapture(LogCapture const&) = delete;
    LogCapture& operator=(LogCapture const&) = delete;
    ~LogCapture();

    // Every line logged since construction, "<spdlog level name> <event> key=value ...\n" each.
    [[nodiscard]] std::string text() const;

private:
    struct State;
    std::unique_ptr<State> state_;
};

}  // namespace wx::test
