#include <herald/server/server.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ip/v6_only.hpp>
#include <asio/signal_set.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <functional>
#include <limits>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>

#include <herald/core/syntax.hpp>

#include "net/address_text.hpp"
#include "net/listener.hpp"
#include "net/mailbox.hpp"
#include "server/connection.hpp"
#include "server/idle_parking.hpp"
#include "server/worker.hpp"

namespace herald::server {

namespace {

constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);

struct worker;
void wake_parked(worker& w, const idle_parking::parked& p) noexcept;

struct worker {
  worker(const options& opts, handler& h, access_log* log, asio::thread_pool& pool)
      : context{opts, h, log, pool, std::string(h.server_allow()), {}, false, {}, nullptr, {}, 0,
                nullptr},
        io(ASIO_CONCURRENCY_HINT_UNSAFE),
        mail(io),
        parking(io, [this](const idle_parking::parked& p) { wake_parked(*this, p); }) {
    context.mail = &mail;
    if (parking.available()) context.parking = &parking;
  }

  // Declared before io: destroying io destroys the connections' coroutines, which still
  // remove themselves from the context.
  worker_context context;
  // Only this worker's thread runs io, touches its sockets and posts to it, so neither the
  // scheduler nor the reactor takes a lock; other threads (slow work, drain, stop) go through
  // mail.
  asio::io_context io;
  net::mailbox mail;
  std::vector<asio::ip::tcp::acceptor> acceptors;
  idle_parking parking;
  std::thread thread;
};

void start_connection(worker& w, asio::ip::tcp::socket socket, std::string peer,
                      std::size_t requests_served) {
  auto c = std::make_shared<connection>(std::move(socket), std::move(peer), w.context,
                                        requests_served);
  c->start();
}

// A socket that owns `fd`, registered with the worker's reactor. If that fails (out of
// memory, say), `fd` is closed and the exception passes on: either way it is closed once.
asio::ip::tcp::socket socket_for(worker& w, int fd, const asio::ip::tcp& protocol) {
  std::optional<asio::ip::tcp::socket> socket;
  try {
    socket.emplace(w.io);
    asio::error_code ec;
    socket->assign(protocol, fd, ec);
    if (ec) throw std::system_error(ec);
  } catch (...) {
    ::close(fd);
    throw;
  }
  return std::move(*socket);
}

// Owns p.fd from its first line (idle_parking::wake_handler) and throws nothing.
void wake_parked(worker& w, const idle_parking::parked& p) noexcept {
  try {
    asio::ip::tcp::socket socket =
        socket_for(w, p.fd, p.v6 ? asio::ip::tcp::v6() : asio::ip::tcp::v4());
    asio::error_code ec;
    const asio::ip::tcp::endpoint peer = socket.remote_endpoint(ec);
    if (ec) return;  // the client is gone; the socket closes the descriptor
    start_connection(w, std::move(socket), net::address_text(peer.address()), p.requests_served);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "herald: cannot resume a connection: %s\n", e.what());
  }
}

// What nginx calls 444: close without a response.
void deny(worker& w, asio::ip::tcp::socket socket, std::string peer) {
  asio::error_code ec;
  socket.close(ec);
  if (w.context.log != nullptr) {
    access_entry e;
    e.peer = std::move(peer);
    e.start = std::chrono::system_clock::now();
    e.status = 444;
    e.reason = "denied-peer";
    w.context.log->write(e);
  }
}

// A connection accept4 just made: `fd` is its descriptor, which this closes or hands on.
// `refuse`: answer 503 whatever the count of connections.
void admit(worker& w, int fd, const asio::ip::tcp::endpoint& from, bool refuse) {
  const options& opts = w.context.opts;
  asio::ip::tcp::socket socket = socket_for(w, fd, from.protocol());
  std::string peer = net::address_text(from.address());
  if (std::find(opts.deny_peers.begin(), opts.deny_peers.end(), peer) != opts.deny_peers.end()) {
    deny(w, std::move(socket), std::move(peer));
    return;
  }
  // A parked connection still holds its descriptor, so it counts; a woken one was admitted
  // long ago and is never refused.
  if (refuse ||
      w.context.connections.size() + w.parking.size() >= opts.max_connections_per_worker) {
    auto c = std::make_shared<connection>(std::move(socket), std::move(peer), w.context);
    co_spawn(w.io, [c] { return c->refuse_overloaded(); }, asio::detached);
    return;
  }
  start_connection(w, std::move(socket), std::move(peer), 0);
}

void accept_queued(worker& w, asio::ip::tcp::acceptor& acceptor) noexcept;

// epoll reports a listener edge-triggered: once its queue is empty, the next connection is
// reported.
void wait_to_accept(worker& w, asio::ip::tcp::acceptor& acceptor) {
  acceptor.async_wait(asio::socket_base::wait_read, [&w, &acceptor](const asio::error_code& ec) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    accept_queued(w, acceptor);
  });
}

// Out of descriptors or memory: pause rather than spin, and let the kernel's queue hold.
void pause_accepting(worker& w, asio::ip::tcp::acceptor& acceptor) {
  auto pause = std::make_shared<asio::steady_timer>(w.io, std::chrono::milliseconds(50));
  pause->async_wait([&w, &acceptor, pause](const asio::error_code&) {
    if (acceptor.is_open()) accept_queued(w, acceptor);
  });
}

enum class accept_turn { drained, full, paused, closed };

// One turn of accept_queued: up to `batch` connections.
accept_turn accept_batch(worker& w, asio::ip::tcp::acceptor& acceptor) {
  constexpr int batch = 64;
  for (int i = 0; i < batch; ++i) {
    asio::ip::tcp::endpoint from;  // from accept itself: no getpeername
    socklen_t length = static_cast<socklen_t>(from.capacity());
    const int fd =
        ::accept4(acceptor.native_handle(), from.data(), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      switch (errno) {
        case EAGAIN:
          return accept_turn::drained;
        case EBADF:
        case EINVAL:
        case ENOTSOCK:
          // The listener is closed (a drain) or broken: nothing more to accept from it.
          return accept_turn::closed;
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        case EPERM:
        case ENETDOWN:
        case ENETUNREACH:
        case EHOSTDOWN:
        case EHOSTUNREACH:
        case ENONET:
        case ENOPROTOOPT:
        case EOPNOTSUPP:
          // This connection failed, or a network error was pending on it, which accept(2)
          // says to treat as EAGAIN would be treated, by trying again.
          continue;
        default:
          // Out of descriptors (EMFILE, ENFILE) or memory (ENOBUFS, ENOMEM), or worse.
          return accept_turn::paused;
      }
    }
    from.resize(std::min<std::size_t>(length, from.capacity()));
    // Nearly out of descriptors (worker_context::descriptor_ceiling): this one is refused,
    // and the rest wait in the kernel's queue until connections close, as nginx stops
    // accepting when its worker_connections run out.
    const bool last_descriptors = fd >= w.context.descriptor_ceiling;
    try {
      admit(w, fd, from, last_descriptors);
    } catch (const std::exception& e) {
      // Out of memory, say: this connection is closed, and the listener goes on.
      std::fprintf(stderr, "herald: cannot take a connection: %s\n", e.what());
    }
    if (last_descriptors) return accept_turn::paused;
  }
  return accept_turn::full;
}

// Accepts what the listener's queue holds, as nginx's multi_accept and h2o do. The listener
// defers accepting until a connection's request arrives (net::make_listener), so each one
// accepted is answered in the same turn, with no wait for epoll in between. A turn takes at
// most a batch, so that a flood of connections does not starve the requests of others. A
// completion handler, it throws nothing: that would end the worker's io_context.
void accept_queued(worker& w, asio::ip::tcp::acceptor& acceptor) noexcept {
  try {
    switch (accept_batch(w, acceptor)) {
      case accept_turn::drained:
        wait_to_accept(w, acceptor);
        return;
      case accept_turn::full:
        asio::post(w.io, [&w, &acceptor] {
          if (acceptor.is_open()) accept_queued(w, acceptor);
        });
        return;
      case accept_turn::paused:
        pause_accepting(w, acceptor);
        return;
      case accept_turn::closed:
        return;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "herald: stopped accepting on a listener: %s\n", e.what());
  }
}

// Closes idle connections as they become idle, until none is left or the grace period ends.
asio::awaitable<void> drain_worker(worker& w) {
  w.context.draining = true;
  for (auto& acceptor : w.acceptors) {
    asio::error_code ec;
    acceptor.close(ec);
  }
  w.parking.close_all();
  auto deadline = std::chrono::steady_clock::now() + w.context.opts.grace_period;
  asio::steady_timer tick(w.io);
  while (!w.context.connections.empty() && std::chrono::steady_clock::now() < deadline) {
    for (connection* c : w.context.connections) c->close_if_idle();
    tick.expires_after(std::chrono::milliseconds(20));
    co_await tick.async_wait(nothrow);
  }
  w.io.stop();
}

// From any thread: the worker's io_context may be stopped only on its own thread.
void stop_worker(worker& w) {
  w.mail.post([&io = w.io] { io.stop(); });
}

// The number from which a new connection's descriptor leaves too few for the files of the
// connections already in: an eighth of the process's limit on open files, 16 at least and
// 256 at most, stays free. Without it a burst of connections up to the limit would leave
// none for opening files, and every request would fail; with it the burst's last
// connections are told 503 and Retry-After.
int descriptor_ceiling() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY)
    return std::numeric_limits<int>::max();
  const auto open_files = static_cast<long long>(std::min<rlim_t>(limit.rlim_cur, 1 << 30));
  const long long reserve = std::clamp(open_files / 8, 16LL, 256LL);
  return static_cast<int>(std::max(open_files - reserve, 1LL));
}

thread_local asio::io_context* worker_loop = nullptr;

}  // namespace

asio::io_context* this_worker_loop() {
  return worker_loop;
}

struct server::impl {
  impl(options o, handler& handler_ref) : opts(std::move(o)), h(handler_ref) {}

  options opts;
  handler& h;
  std::unique_ptr<access_log> log;
  std::vector<std::unique_ptr<worker>> workers;
  // Declared after the workers, so destroyed (its threads joined) first: slow work still
  // running posts its result to a worker's mailbox, which must then still exist.
  asio::thread_pool slow_work{2};
  std::vector<unsigned short> ports;
  std::atomic<bool> draining{false};
};

server::server(options opts, handler& h) : impl_(std::make_unique<impl>(std::move(opts), h)) {}

server::~server() {
  if (!impl_->workers.empty()) {
    for (auto& w : impl_->workers) stop_worker(*w);
    wait();
  }
}

// Fails when another socket already listens on `at`: SO_REUSEPORT would otherwise let a second
// server share the port silently. Returns the port (the kernel's choice for port 0).
unsigned short probe_free(const asio::ip::tcp::endpoint& at) {
  asio::io_context io(1);
  asio::ip::tcp::acceptor probe(io);
  asio::error_code ec;
  probe.open(at.protocol(), ec);
  if (!ec && at.address().is_v6()) probe.set_option(asio::ip::v6_only(true), ec);
  if (!ec) probe.set_option(asio::ip::tcp::acceptor::reuse_address(true), ec);
  if (!ec) probe.bind(at, ec);
  if (ec)
    throw std::system_error(ec, "cannot listen on " + at.address().to_string() + ":" +
                                    std::to_string(at.port()));
  return probe.local_endpoint().port();
}

// Worker threads never take process signals: SIGTERM/SIGINT/SIGHUP are the waiting thread's,
// and SIGPIPE from sendfile or a write to a closed log must not kill a program embedding us.
class signals_blocked {
 public:
  signals_blocked() {
    sigset_t set;
    sigemptyset(&set);
    for (int sig : {SIGPIPE, SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~signals_blocked() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }

 private:
  sigset_t old_;
};

void server::start() {
  impl& s = *impl_;
  // Every response carries it: a value no field can hold (RFC 9110 §5.5) would leave the
  // server no way to answer at all.
  if (!s.opts.server_header.empty() && !core::syntax::is_field_value(s.opts.server_header))
    throw std::invalid_argument(
        "the Server header value must be a field value: no control characters, and no space "
        "or tab at either end (RFC 9110 §5.5)");
  // Compared with each peer's address as text: an address written another way ("::0:1"), or
  // a host name, would never match.
  for (std::string& peer : s.opts.deny_peers) {
    asio::error_code ec;
    const asio::ip::address address = asio::ip::make_address(peer, ec);
    if (ec) throw std::invalid_argument("a denied peer must be an IP address: " + peer);
    peer = net::address_text(address);
  }
  const int ceiling = descriptor_ceiling();
  if (s.opts.access_log) s.log = std::make_unique<access_log>(s.opts.access_log_path, s.opts.log_format);
  unsigned count = s.opts.workers != 0 ? s.opts.workers : std::max(1u, std::thread::hardware_concurrency());
  for (unsigned i = 0; i < count; ++i)
    s.workers.push_back(std::make_unique<worker>(s.opts, s.h, s.log.get(), s.slow_work));
  for (auto& w : s.workers) w->context.descriptor_ceiling = ceiling;

  // The first worker binds each address; with port 0 the kernel picks one, which the other
  // workers then share through SO_REUSEPORT.
  for (const listen_address& address : s.opts.listen) {
    asio::ip::tcp::endpoint endpoint(net::parse_listen_host(address.host), address.port);
    endpoint.port(probe_free(endpoint));
    for (auto& w : s.workers) {
      w->acceptors.push_back(net::make_listener(w->io, endpoint));
      endpoint.port(w->acceptors.back().local_endpoint().port());
    }
    s.ports.push_back(endpoint.port());
  }
  signals_blocked in_workers;  // threads inherit the mask of the thread that creates them
  for (auto& w : s.workers) {
    for (auto& acceptor : w->acceptors)
      asio::post(w->io, [&w = *w, &acceptor] { accept_queued(w, acceptor); });
    w->thread = std::thread([&io = w->io] {
      worker_loop = &io;
      io.run();
      worker_loop = nullptr;
    });
  }
}

std::vector<unsigned short> server::ports() const { return impl_->ports; }

void server::drain() {
  if (impl_->draining.exchange(true)) return;
  for (auto& w : impl_->workers)
    w->mail.post([&w = *w] { co_spawn(w.io, drain_worker(w), asio::detached); });
}

void server::wait() {
  for (auto& w : impl_->workers)
    if (w->thread.joinable()) w->thread.join();
}

void server::run_until_signalled(const std::function<void()>& ready) {
  asio::io_context signals_io(1);
  asio::signal_set signals(signals_io, SIGTERM, SIGINT, SIGHUP);
  // The handlers exist now; only from here may the signals reach this thread.
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, sig);
  pthread_sigmask(SIG_UNBLOCK, &set, nullptr);
  std::function<void(const asio::error_code&, int)> on_signal = [&](const asio::error_code& ec,
                                                                    int signal) {
    if (ec) return;
    if (signal == SIGHUP) {
      if (impl_->log) impl_->log->reopen();
    } else if (impl_->draining) {
      // A second SIGTERM or SIGINT: stop now, as nginx's fast shutdown does.
      for (auto& w : impl_->workers) stop_worker(*w);
    } else {
      drain();
    }
    signals.async_wait(on_signal);
  };
  signals.async_wait(on_signal);
  if (ready) ready();
  std::thread waiter([&] {
    wait();
    signals_io.stop();
  });
  signals_io.run();
  waiter.join();
}

}  // namespace herald::server
