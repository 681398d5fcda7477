// net::address_text against Asio's own formatting, which herald used before.

#include <gtest/gtest.h>

#include "net/address_text.hpp"

namespace herald::net {
namespace {

TEST(AddressText, IPv4IsTheDottedQuadAsioWrites) {
  for (const char* text : {"0.0.0.0", "127.0.0.1", "192.0.2.1", "10.20.30.40", "255.255.255.255",
                           "1.0.0.9", "100.99.10.0"}) {
    const asio::ip::address address = asio::ip::make_address(text);
    EXPECT_EQ(address_text(address), text);
    EXPECT_EQ(address_text(address), address.to_string());
  }
}

TEST(AddressText, IPv6IsLeftToAsio) {
  for (const char* text : {"::1", "2001:db8::1", "::ffff:192.0.2.1", "fe80::1:2:3:4"}) {
    const asio::ip::address address = asio::ip::make_address(text);
    EXPECT_EQ(address_text(address), address.to_string());
  }
}

}  // namespace
}  // namespace herald::net
