#pragma once
// The bounded wait that replaces a sleep in a test: poll for the event the test is about, every few
// milliseconds, up to a deadline far beyond what it should take, and fail with a message that
// names the event. A sleep either wastes time or, on a loaded machine, is too short.

#include <gtest/gtest.h>

#include <chrono>
#include <string_view>
#include <thread>

namespace wx::test {

// Generous on purpose: an event that should take milliseconds may take seconds under ASan on a
// busy machine; only a broken build waits this long.
inline constexpr std::chrono::milliseconds kEventTimeout{10000};
inline constexpr std::chrono::milliseconds kPollEvery{5};

// Success as soon as `happened()` returns true; failure naming `event` once `timeout` has passed.
// Use as ASSERT_TRUE(wait_until("the server closed the connection", [&] { ... })).
template <class Predicate>
[[nodiscard]] ::testing::AssertionResult wait_until(std::string_view event,
                                                    Predicate&& happened,
                                                    std::chrono::milliseconds timeout = kEventTimeout) {
    auto const deadline = std::chrono::steady_clock::now() + timeout;
    while (!happened()) {
        if (std::chrono::steady_clock::now() >= deadline)
            return ::testing::AssertionFailure() << event << ": did not happen within " << timeout.count() << " ms";
        std::this_thread::sleep_for(kPollEvery);
    }
    return ::testing::AssertionSuccess();
}

}  // namespace wx::test
