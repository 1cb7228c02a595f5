#include "http/middleware/forwarded_for.hpp"

#include <gtest/gtest.h>

#include <string_view>

namespace wx::http {
namespace {

TrustedProxies trusted(std::string_view list) {
    auto parsed = TrustedProxies::parse(list);
    EXPECT_TRUE(parsed) << list;
    return parsed ? *parsed : TrustedProxies{};
}

TEST(TrustedProxies, ParsesAddressesAndNetworks) {
    TrustedProxies p = trusted("10.0.0.0/8, 127.0.0.1,::1, fd00::/8");
    EXPECT_TRUE(p.contains("10.1.2.3"));
    EXPECT_TRUE(p.contains("127.0.0.1"));
    EXPECT_TRUE(p.contains("::1"));
    EXPECT_TRUE(p.contains("fd12::5"));
    EXPECT_TRUE(p.contains("::ffff:10.9.9.9"));  // v4-mapped peer of a dual-stack socket
    EXPECT_FALSE(p.contains("11.0.0.1"));
    EXPECT_FALSE(p.contains("127.0.0.2"));
    EXPECT_FALSE(p.contains("not an ip"));
    EXPECT_TRUE(trusted("").empty());
    EXPECT_TRUE(TrustedProxies{}.empty());
    auto bad_prefix = TrustedProxies::parse("10.0.0.0/33");
    ASSERT_FALSE(bad_prefix);
    EXPECT_EQ(bad_prefix.error(), "not an address or network: 10.0.0.0/33");
    auto name = TrustedProxies::parse("10.0.0.1, proxy.local");
    ASSERT_FALSE(name);
    EXPECT_EQ(name.error(), "not an address or network: proxy.local");
}

TEST(TrustedProxies, UntrustedPeerIsTheClientWhateverItForwards) {
    TrustedProxies p = trusted("10.0.0.1");
    EXPECT_EQ(p.client_address("203.0.113.7", "1.2.3.4"), "203.0.113.7");
}

TEST(TrustedProxies, TakesTheRightMostUntrustedEntry) {
    TrustedProxies p = trusted("10.0.0.0/8");
    // The client forged "6.6.6.6"; our proxy 10.0.0.2 appended the address it saw.
    EXPECT_EQ(p.client_address("10.0.0.1", "6.6.6.6, 198.51.100.9, 10.0.0.2"), "198.51.100.9");
    EXPECT_EQ(p.client_address("10.0.0.1", " 198.51.100.9 "), "198.51.100.9");
    EXPECT_EQ(p.client_address("10.0.0.1", "2001:db8::1"), "2001:db8::1");
}

TEST(TrustedProxies, PortsAndBracketsAreStripped) {
    TrustedProxies p = trusted("10.0.0.0/8");
    EXPECT_EQ(p.client_address("10.0.0.1", "198.51.100.9:5678"), "198.51.100.9");
    EXPECT_EQ(p.client_address("10.0.0.1", "[2001:db8::1]:443"), "2001:db8::1");
    EXPECT_EQ(p.client_address("10.0.0.1", "198.51.100.9, 10.0.0.7:80"), "198.51.100.9");
    EXPECT_EQ(p.client_address("10.0.0.1", "[2001:db8::1"), "10.0.0.1");
}

TEST(TrustedProxies, GarbageStopsTheWalk) {
    TrustedProxies p = trusted("10.0.0.0/8");
    EXPECT_EQ(p.client_address("10.0.0.1", "198.51.100.9, garbage"), "10.0.0.1");
    EXPECT_EQ(p.client_address("10.0.0.1", "garbage, 10.0.0.3"), "10.0.0.3");
    EXPECT_EQ(p.client_address("10.0.0.1", ""), "10.0.0.1");
}

}  // namespace
}  // namespace wx::http
