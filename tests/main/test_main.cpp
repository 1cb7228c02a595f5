// The main of every test binary: the process-wide set-up (libsodium, the logger) happens before
// any test, so that no thread a fixture starts (a Redis feed, a committer) can log while the
// default logger is being replaced.
#include <gtest/gtest.h>

#include "support/test_app.hpp"

int main(int argc, char** argv) {
    ::testing::InitGoogleTest(&argc, argv);
    wx::test::init_test_process();
    return RUN_ALL_TESTS();
}
