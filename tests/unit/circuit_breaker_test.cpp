// The WeChat circuit breaker's state machine on a test clock.
#include "wechat/circuit_breaker.hpp"

#include <gtest/gtest.h>

namespace wx::wechat {
namespace {

constexpr std::int64_t kStart = 1'800'000'000;

class CircuitBreakerTest : public ::testing::Test {
protected:
    void calls(int ok, int failed) {
        for (int i = 0; i < ok; ++i) {
            ASSERT_EQ(breaker_.admit(), 0);
            breaker_.record(false);
        }
        for (int i = 0; i < failed; ++i) {
            ASSERT_EQ(breaker_.admit(), 0);
            breaker_.record(true);
        }
    }

    TestClock clock_{kStart};
    BreakerConfig config_{.window_seconds = 10, .min_calls = 20, .failure_percent = 50, .open_seconds = 5};
    CircuitBreaker breaker_{config_, clock_};
};

TEST_F(CircuitBreakerTest, StaysClosedBelowTheMinimumNumberOfCalls) {
    calls(0, 19);
    EXPECT_EQ(breaker_.state(), CircuitBreaker::State::closed) << "19 failures of 19 calls: too few to judge";
    EXPECT_EQ(breaker_.admit(), 0);
}

TEST_F(CircuitBreakerTest, StaysClosedBelowTheFailureShare) {
    calls(11, 10);
    EXPECT_EQ(breaker_.state(), CircuitBreaker::State::closed) << "10 of 21 failed: under 50 %";
}

TEST_F(CircuitBreakerTest, OpensAtTheFailureShareAndRefusesUntilOpenSecondsPass) {
    calls(10, 10);
    EXPECT_EQ(breaker_.state(), CircuitBreaker::State::open);
    EXPECT_EQ(breaker_.admit(), 5);
    clock_.advance(3);
    EXPECT_EQ(breaker_.admit(), 2);
}

TEST_F(CircuitBreakerTest, OldFailuresLeaveTheWindow) {
    calls(0, 15);
    clock_.advance(10);
    calls(5, 5);
    EXPECT_EQ(breaker_.state(), CircuitBreaker::State::closed) << "the 15 failures are 10 s old";
}

TEST_F(CircuitBreakerTest, HalfOpenLetsOneProbeThroughWhichDecides) {
    calls(0, 20);
    clock_.advance(5);
    EXPECT_EQ(breaker_.admit(), 0) << "the probe";
    EXPECT_EQ(breaker_.state(), CircuitBreaker::State::half_open);
    EXPECT_EQ(breaker_.admit(), 1) << "only one probe at a time";
    breaker_.record(true);
    EXPECT_EQ(breaker_.state(), CircuitBreaker::State::open) << "a failed probe opens it again";
    EXPECT_EQ(breaker_.admit(), 5);
    clock_.advance(5);
    EXPECT_EQ(breaker_.admit(), 0);
    breaker_.record(false);
    EXPECT_EQ(breaker_.state(), CircuitBreaker::State::closed);
    calls(0, 19);
    EXPECT_EQ(breaker_.state(), CircuitBreaker::State::closed) << "closing forgot the old window";
}

TEST_F(CircuitBreakerTest, AProbeThatNeverReportsIsGivenUp) {
    calls(0, 20);
    clock_.advance(5);
    ASSERT_EQ(breaker_.admit(), 0);  // its caller goes away without recording
    EXPECT_EQ(breaker_.admit(), 1);
    clock_.advance(5);
    EXPECT_EQ(breaker_.admit(), 0) << "a new probe";
}

TEST(CircuitBreakerFailures, OnlyWeChatNotWorkingCounts) {
    EXPECT_TRUE(CircuitBreaker::is_failure(make_error_code(Errc::timeout)));
    EXPECT_TRUE(CircuitBreaker::is_failure(make_error_code(Errc::connection_failed)));
    EXPECT_TRUE(CircuitBreaker::is_failure(make_error_code(Errc::http_status)));
    EXPECT_TRUE(CircuitBreaker::is_failure(make_error_code(Errc::bad_response)));
    EXPECT_TRUE(CircuitBreaker::is_failure(errcode_error(errcode::system_busy)));
    EXPECT_FALSE(CircuitBreaker::is_failure(errcode_error(errcode::invalid_code)));
    EXPECT_FALSE(CircuitBreaker::is_failure(errcode_error(errcode::code_used)));
    EXPECT_FALSE(CircuitBreaker::is_failure(errcode_error(errcode::rate_limited)));
    EXPECT_FALSE(CircuitBreaker::is_failure(errcode_error(errcode::invalid_appsecret)));
    EXPECT_FALSE(CircuitBreaker::is_failure(error_code{}));
}

}  // namespace
}  // namespace wx::wechat
