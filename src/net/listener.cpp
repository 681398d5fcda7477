#include "net/listener.hpp"

#include <sys/socket.h>

#include <asio/detail/socket_option.hpp>
#include <asio/ip/v6_only.hpp>

#include <stdexcept>
#include <system_error>

namespace herald::net {

namespace {
using reuse_port = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;
}

asio::ip::address parse_listen_host(const std::string& host) {
  if (host == "localhost") return asio::ip::address_v4::loopback();
  std::string literal = host;
  if (literal.size() > 2 && literal.front() == '[' && literal.back() == ']')
    literal = literal.substr(1, literal.size() - 2);
  asio::error_code ec;
  asio::ip::address address = asio::ip::make_address(literal, ec);
  if (ec) throw std::invalid_argument("not an IP address to listen on: " + host);
  return address;
}

asio::ip::tcp::acceptor make_listener(asio::io_context& io, const asio::ip::tcp::endpoint& at) {
  asio::ip::tcp::acceptor acceptor(io);
  auto fail = [&](const asio::error_code& ec, const char* what) {
    throw std::system_error(ec, std::string(what) + " " + at.address().to_string() + ":" +
                                    std::to_string(at.port()));
  };
  asio::error_code ec;
  acceptor.open(at.protocol(), ec);
  if (ec) fail(ec, "cannot open a socket for");
  acceptor.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  acceptor.set_option(reuse_port(true), ec);
  if (ec) fail(ec, "cannot share the port (SO_REUSEPORT) of");
  if (at.address().is_v6()) acceptor.set_option(asio::ip::v6_only(true), ec);
  acceptor.bind(at, ec);
  if (ec) fail(ec, "cannot listen on");
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) fail(ec, "cannot listen on");
  // The server accepts with accept4 until the queue is empty: a blocking listener would hold
  // its worker in accept.
  acceptor.non_blocking(true, ec);
  if (ec) fail(ec, "cannot make non-blocking the socket listening on");
  return acceptor;
}

}  // namespace herald::net
