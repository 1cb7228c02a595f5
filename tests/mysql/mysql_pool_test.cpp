#include <gtest/gtest.h>
TEST(MysqlPool, Placeholder) { SUCCEED(); }
