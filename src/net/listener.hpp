#pragma once
// Listening sockets: one per worker and address, all bound to the same port with
// SO_REUSEPORT so that the kernel spreads new connections over the workers.

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <string>

namespace herald::net {

// The address of a listen host: an IPv4 or IPv6 literal, or "localhost" (127.0.0.1).
// Throws std::invalid_argument with a sentence naming the host.
asio::ip::address parse_listen_host(const std::string& host);

// Opens, binds and listens; throws std::system_error naming the endpoint on failure.
asio::ip::tcp::acceptor make_listener(asio::io_context& io, const asio::ip::tcp::endpoint& at);

}  // namespace herald::net
