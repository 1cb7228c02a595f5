#include "http/middleware/forwarded_for.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace wx::http {
namespace {

TEST(TrustedProxies, ParsesAddressesAndNetworks) {
    TrustedProxies p{"10.0.0.0/8, 127.0.0.1,::1, fd00::/8"};
    EXPECT_TRUE(p.contains("10.1.2.3"));
    EXPECT_TRUE(p.contains("127.0.0.1"));
    EXPECT_TRUE(p.contains("::1"));
    EXPECT_TRUE(p.contains("fd12::5"));
    EXPECT_TRUE(p.contains("::ffff:10.9.9.9"));  // v4-mapped peer of a dual-stack socket
    EXPECT_FALSE(p.contains("11.0.0.1"));
    EXPECT_FALSE(p.contains("127.0.0.2"));
    EXPECT_FALSE(p.contains("not an ip"));
    EXPECT_TRUE(TrustedProxies{""}.empty());
    EXPECT_THROW(TrustedProxies{"10.0.0.0/33"}, std::invalid_argument);
    EXPECT_THROW(TrustedProxies{"proxy.local"}, std::invalid_argument);
}

TEST(TrustedProxies, UntrustedPeerIsTheClientWhateverItForwards) {
    TrustedProxies p{"10.0.0.1"};
    EXPECT_EQ(p.client_address("203.0.113.7", "1.2.3.4"), "203.0.113.7");
}

TEST(TrustedProxies, TakesTheRightMostUntrustedEntry) {
    TrustedProxies p{"10.0.0.0/8"};
    // The client forged "6.6.6.6"; our proxy 10.0.0.2 appended the address it saw.
    EXPECT_EQ(p.client_address("10.0.0.1", "6.6.6.6, 198.51.100.9, 10.0.0.2"), "198.51.100.9");
    EXPECT_EQ(p.client_address("10.0.0.1", " 198.51.100.9 "), "198.51.100.9");
    EXPECT_EQ(p.client_address("10.0.0.1", "2001:db8::1"), "2001:db8::1");
}

TEST(TrustedProxies, PortsAndBracketsAreStripped) {
    TrustedProxies p{"10.0.0.0/8"};
    EXPECT_EQ(p.client_address("10.0.0.1", "198.51.100.9:5678"), "198.51.100.9");
    EXPECT_EQ(p.client_address("10.0.0.1", "[2001:db8::1]:443"), "2001:db8::1");
    EXPECT_EQ(p.client_address("10.0.0.1", "198.51.100.9, 10.0.0.7:80"), "198.51.100.9");
    EXPECT_EQ(p.client_address("10.0.0.1", "[2001:db8::1"), "10.0.0.1");
}

TEST(TrustedProxies, GarbageStopsTheWalk) {
    TrustedProxies p{"10.0.0.0/8"};
    EXPECT_EQ(p.client_address("10.0.0.1", "198.51.100.9, garbage"), "10.0.0.1");
    EXPECT_EQ(p.client_address("10.0.0.1", "garbage, 10.0.0.3"), "10.0.0.3");
    EXPECT_EQ(p.client_address("10.0.0.1", ""), "10.0.0.1");
}

}  // namespace
}  // namespace wx::http
