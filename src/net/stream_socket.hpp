#pragma once
// A connection's TCP socket: Asio's, with a send that does not wait and a read that tells the
// reactor when it emptied the socket.
//
// Both remove work Asio does on every request. As an Asio operation a send costs an operation
// object, a trip through the scheduler's queue and a resumption of the coroutine, about 1,000
// instructions; the socket nearly always takes a whole batch of responses at once, so send_now
// makes the one system call directly, and the caller waits (async_wait) only when the socket
// is full.
//
// Asio's read tries recv(2) before it waits for epoll. Right after a response that attempt
// finds nothing, because the client has not seen the response yet, and a failed recv costs
// about 1.4 µs on this project's machine, a tenth of a request. A read that does not fill its
// buffer has emptied the socket's queue, and Asio's epoll is edge-triggered: each later arrival
// is reported. So this read tells the reactor "exhausted" after a short read, as Asio's own
// write does after a short write; the reactor then waits for the next report before it tries
// again, and tries at once if a report came in between. nginx's recv clears rev->ready after a
// short read in the same way.
//
// What no report announces again: a FIN that arrived together with the octets of that short
// read (nginx learns of it from EPOLLRDHUP, which Asio does not ask for), and octets behind
// TCP urgent data, at whose mark recv stops early. A read that must see a FIN at once (a body,
// the end of a lingering close) asks for an attempt first; the wait for a next request does
// not, and such a client is seen when its connection is parked (100 ms) or times out.
//
// Cancellation is by the socket (cancel, close), as herald does it everywhere; a per-operation
// cancellation slot is not connected to this read.
//
// It uses Asio's reactor interface (asio/detail), which Debian 12's libasio-dev (1.22) fixes
// for this project; tests/net/stream_socket_test.cpp holds it to its behaviour.

#include <asio/async_result.hpp>
#include <asio/buffer.hpp>
#include <asio/detail/bind_handler.hpp>
#include <asio/detail/fenced_block.hpp>
#include <asio/detail/handler_alloc_helpers.hpp>
#include <asio/detail/handler_cont_helpers.hpp>
#include <asio/detail/handler_work.hpp>
#include <asio/detail/reactor.hpp>
#include <asio/detail/reactor_op.hpp>
#include <asio/ip/tcp.hpp>
#include <cstddef>
#include <memory>
#include <span>
#include <system_error>
#include <utility>

namespace herald::net {

struct send_result {
  std::size_t sent = 0;
  // Set for a failure other than a full socket (EAGAIN), which only means sending later.
  std::error_code error;
};

class stream_socket;

namespace detail {

// Asio's stream read, but "exhausted" after a read that did not fill the room, and noting in
// `*emptied` whether the socket was left empty.
class read_op_base : public asio::detail::reactor_op {
 protected:
  read_op_base(int fd, asio::mutable_buffer room, bool* emptied, func_type on_complete)
      : reactor_op(asio::error_code(), &perform_read, on_complete),
        fd_(fd),
        room_(room),
        emptied_(emptied) {}

 private:
  static status perform_read(reactor_op* base);
  friend class net::stream_socket;
  int fd_;
  asio::mutable_buffer room_;
  bool* emptied_;
};

template <typename Handler, typename IoExecutor>
class read_op : public read_op_base {
 public:
  ASIO_DEFINE_HANDLER_PTR(read_op);

  read_op(int fd, asio::mutable_buffer room, bool* emptied, Handler& handler,
          const IoExecutor& io_ex)
      : read_op_base(fd, room, emptied, &read_op::do_complete),
        handler_(std::move(handler)),
        work_(handler_, io_ex) {}

  // As Asio's own operations complete: the memory goes back before the handler runs, which
  // may start the next read in it.
  static void do_complete(void* owner, asio::detail::operation* base, const asio::error_code&,
                          std::size_t) {
    auto* o = static_cast<read_op*>(base);
    ptr p = {std::addressof(o->handler_), o, o};
    asio::detail::handler_work<Handler, IoExecutor> w(std::move(o->work_));
    asio::detail::binder2<Handler, asio::error_code, std::size_t> handler(o->handler_, o->ec_,
                                                                          o->bytes_transferred_);
    p.h = std::addressof(handler.handler_);
    p.reset();
    if (owner != nullptr) {
      asio::detail::fenced_block b(asio::detail::fenced_block::half);
      w.complete(handler, handler.handler_);
    }
  }

 private:
  Handler handler_;
  asio::detail::handler_work<Handler, IoExecutor> work_;
};

}  // namespace detail

class stream_socket : public asio::ip::tcp::socket {
 public:
  explicit stream_socket(asio::ip::tcp::socket&& socket);
  // A waiting read points at emptied_, so the socket stays where it is.
  stream_socket(const stream_socket&) = delete;
  stream_socket& operator=(const stream_socket&) = delete;
  stream_socket(stream_socket&&) = delete;
  stream_socket& operator=(stream_socket&&) = delete;

  // One sendmsg of as many buffers as one call takes (the caller sends the rest). `flags`:
  // MSG_MORE and the like; MSG_DONTWAIT is always added, and MSG_NOSIGNAL, so that a peer
  // that has gone away gives EPIPE and not a signal.
  send_result send_now(std::span<const asio::const_buffer> buffers, int flags = 0) noexcept;

  // For a descriptor made by accept4(SOCK_NONBLOCK), which no other descriptor shares (nor a
  // child forked without exec, whose copy would keep it in epoll's set after close). Asio
  // need not make it non-blocking (an ioctl per connection), and closing it takes it out of
  // epoll's set by itself, so Asio need not (an EPOLL_CTL_DEL, which Asio makes for any
  // descriptor it was given, in case a duplicate keeps it open).
  void adopt_accepted() noexcept;

  // Reads into `room` as async_read_some does. With `attempt_first`, tries at once even when
  // the last read emptied the socket, which sees a FIN that came with that read's octets.
  // Without it, waits for epoll's next report if the last read emptied the socket and none has
  // come since: for a read that follows the answer to a whole request.
  template <typename Token>
  auto async_read(asio::mutable_buffer room, bool attempt_first, Token&& token) {
    return asio::async_initiate<Token, void(asio::error_code, std::size_t)>(
        [this, room, attempt_first](auto handler) { start_read(room, attempt_first, handler); },
        token);
  }

 private:
  template <typename Handler>
  void start_read(asio::mutable_buffer room, bool attempt_first, Handler& handler) {
    using op = detail::read_op<Handler, executor_type>;
    auto& impl = impl_.get_implementation();
    const bool continuation = asio_handler_cont_helpers::is_continuation(handler);
    typename op::ptr p = {std::addressof(handler), op::ptr::allocate(handler), nullptr};
    p.p = new (p.v) op(impl.socket_, room, &emptied_, handler, impl_.get_executor());
    if (attempt_first && emptied_ && p.p->perform() != asio::detail::reactor_op::not_done) {
      // Tried here because the reactor may not try: it does not once told the socket is empty.
      reactor_.post_immediate_completion(p.p, continuation);
    } else {
      // The reactor's attempt comes first here, on an empty queue of a descriptor it has not
      // seen exhausted; the ones after a report read.
      reactor_.start_op(asio::detail::reactor::read_op, impl.socket_, impl.reactor_data_, p.p,
                        continuation, true);
    }
    p.v = p.p = nullptr;
  }

  asio::detail::reactor& reactor_;
  bool emptied_ = false;  // the last read did not fill its room
};

}  // namespace herald::net
