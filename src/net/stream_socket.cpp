#include "net/stream_socket.hpp"

#include <algorithm>
#include <asio/execution/context.hpp>
#include <asio/query.hpp>
#include <cerrno>
#include <sys/socket.h>
#include <sys/uio.h>

namespace herald::net {

namespace detail {

asio::detail::reactor_op::status read_op_base::perform_read(reactor_op* base) {
  auto* o = static_cast<read_op_base*>(base);
  // As Asio's stream read: no room, no read (recv would report 0, which means the end).
  if (o->room_.size() == 0) return done;
  while (true) {
    const ssize_t n = ::recv(o->fd_, o->room_.data(), o->room_.size(), MSG_DONTWAIT);
    if (n > 0) {
      o->bytes_transferred_ = static_cast<std::size_t>(n);
      *o->emptied_ = o->bytes_transferred_ < o->room_.size();
      return *o->emptied_ ? done_and_exhausted : done;
    }
    if (n == 0) {
      // The end of the stream, reported as Asio's stream read reports it.
      o->ec_ = asio::error::eof;
      *o->emptied_ = true;
      return done_and_exhausted;
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return not_done;
    o->ec_ = asio::error_code(errno, asio::error::get_system_category());
    return done;
  }
}

}  // namespace detail

namespace {

// More than a 16-deep pipelined batch needs; the rest of a longer list goes in a later call.
constexpr std::size_t max_buffers_per_call = 64;

}  // namespace

stream_socket::stream_socket(asio::ip::tcp::socket&& socket)
    : asio::ip::tcp::socket(std::move(socket)),
      reactor_(asio::use_service<asio::detail::reactor>(
          asio::query(get_executor(), asio::execution::context))) {}

void stream_socket::adopt_accepted() noexcept {
  auto& impl = impl_.get_implementation();
  impl.state_ |= asio::detail::socket_ops::internal_non_blocking;
  impl.state_ &= ~asio::detail::socket_ops::possible_dup;
}

send_result stream_socket::send_now(std::span<const asio::const_buffer> buffers,
                                    int flags) noexcept {
  iovec parts[max_buffers_per_call];
  const std::size_t count = std::min(buffers.size(), max_buffers_per_call);
  for (std::size_t i = 0; i < count; ++i) {
    // sendmsg takes a non-const pointer but only reads through it.
    parts[i].iov_base = const_cast<void*>(buffers[i].data());
    parts[i].iov_len = buffers[i].size();
  }
  msghdr message{};
  message.msg_iov = parts;
  message.msg_iovlen = count;
  while (true) {
    const ssize_t n = ::sendmsg(native_handle(), &message, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n >= 0) return {static_cast<std::size_t>(n), {}};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {};
    return {0, std::error_code(errno, std::system_category())};
  }
}

}  // namespace herald::net
