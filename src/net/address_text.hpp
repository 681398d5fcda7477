#pragma once
// A peer's address as text, for the access log, the peer rules and request::peer.

#include <asio/ip/address.hpp>

#include <string>

namespace herald::net {

// "192.0.2.1" for IPv4; IPv6 as Asio writes it ("2001:db8::1", "::ffff:192.0.2.1").
std::string address_text(const asio::ip::address& address);

}  // namespace herald::net
