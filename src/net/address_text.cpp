#include "net/address_text.hpp"

#include <fmt/compile.h>

namespace herald::net {

std::string address_text(const asio::ip::address& address) {
  // Asio goes through inet_ntop, which formats each octet with sprintf: a fifth of the
  // user-space work of a new connection. A dotted quad is four small numbers.
  if (!address.is_v4()) return address.to_string();
  const asio::ip::address_v4::bytes_type octets = address.to_v4().to_bytes();
  return fmt::format(FMT_COMPILE("{}.{}.{}.{}"), octets[0], octets[1], octets[2], octets[3]);
}

}  // namespace herald::net
