#include "server/connection.hpp"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/thread_pool.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <cerrno>
#include <cstdio>
#include <exception>
#include <fmt/format.h>
#include <sys/sendfile.h>

#include <herald/core/syntax.hpp>
#include <herald/server/clock.hpp>

#include "net/mailbox.hpp"
#include "server/error_page.hpp"
#include "server/idle_parking.hpp"
#include "server/protocol.hpp"

namespace herald::server {

namespace {

constexpr auto nothrow = asio::experimental::as_tuple(asio::use_awaitable);
constexpr std::size_t initial_buffer = 4096;

// A connection's first read buffer: most request heads fit (nginx's client_header_buffer_size
// is the same), and it doubles for one that does not. Small, since every idle keep-alive
// connection keeps it.
constexpr std::size_t initial_read_buffer = 1024;
// Spare head buffers a worker keeps: enough for the connections it answers at once.
constexpr std::size_t max_spare_buffers = 64;
constexpr std::size_t read_chunk = 4096;  // spare room kept for the content after a head
// The largest content with file parts copied into the heads' buffer behind its head (see
// read_small_content); larger content goes out part by part.
constexpr std::uint64_t small_content = 16 * 1024;
constexpr auto far_future = std::chrono::hours(24 * 365);

// The octets of a piece held in memory; nullopt for a file part.
std::optional<std::string_view> in_memory(const content_piece& piece) {
  if (const auto* text = std::get_if<std::string>(&piece)) return *text;
  if (const auto* shared = std::get_if<shared_text>(&piece)) return shared->view();
  return std::nullopt;
}

std::string_view field_or_empty(const http1::request_head* head, std::string_view name) {
  if (head == nullptr) return {};
  return head->find(name).value_or(std::string_view{});
}

}  // namespace

connection::connection(asio::ip::tcp::socket socket, std::string peer, worker_context& worker,
                       std::size_t requests_served)
    : socket_(std::move(socket)),
      timer_(socket_.get_executor()),
      worker_(worker),
      peer_(std::move(peer)),
      parser_(worker.opts.limits),
      body_(worker.opts.limits),
      requests_served_(requests_served) {
  // TCP_NODELAY came with the socket from its listener (net::make_listener).
  socket_.adopt_accepted();
  deadline_ = std::chrono::steady_clock::now() + far_future;
  worker_.connections.insert(this);
}

connection::~connection() {
  worker_.connections.erase(this);
}

std::string_view connection::unparsed() const {
  return in_.view(in_start_);
}

// However a connection's coroutine ends, an exception included, the connection is closed when
// it does, unless it ended by handing the connection to the wait for its next request: the
// watchdog's handler holds the connection until it sees it closed.
class connection::close_at_exit {
 public:
  explicit close_at_exit(connection& c) : c_(c) {}
  close_at_exit(const close_at_exit&) = delete;
  close_at_exit& operator=(const close_at_exit&) = delete;
  ~close_at_exit() {
    if (!c_.idle_read_pending_) c_.close_now();
  }

 private:
  connection& c_;
};

void connection::close_now() {
  if (closed_) return;
  closed_ = true;
  timer_.cancel();
  asio::error_code ec;
  socket_.close(ec);
}

// Buffers a connection needs only for a moment come from the worker's spares and go back
// there: the one its response heads are written to is held from the first response of a
// batch until the batch is sent, so a busy worker allocates none per request. The read buffer
// stays with its connection between requests: waiting for readability without a buffer
// (async_wait) costs an epoll_ctl per request in Asio, more than the memory it saves.
void connection::give_back(std::string& buffer) {
  // Up to eight times the initial size: heads with small content behind them
  // (read_small_content) grow the buffer past 16 KiB.
  if (buffer.capacity() >= initial_buffer && buffer.capacity() <= 8 * initial_buffer &&
      worker_.spare_buffers.size() < max_spare_buffers) {
    buffer.clear();
    worker_.spare_buffers.push_back(std::move(buffer));
  }
  buffer = std::string();
}

void connection::take_spare(std::string& buffer) {
  if (worker_.spare_buffers.empty()) {
    buffer.reserve(initial_buffer);
    return;
  }
  buffer = std::move(worker_.spare_buffers.back());
  worker_.spare_buffers.pop_back();
}

// The request's start, for the access log's time and duration; without a log, no clock is
// read (each read costs tens of nanoseconds on a virtual machine, several times a request).
void connection::mark_request_start() {
  if (worker_.log == nullptr) return;
  request_start_ = std::chrono::steady_clock::now();
  request_wall_start_ = std::chrono::system_clock::now();
}

void connection::arm(std::chrono::milliseconds timeout) {
  // A deadline a few milliseconds early is harmless for timeouts of a second or more, and the
  // coarse clock is read without the hypervisor's help.
  deadline_ = coarse_steady_now() + timeout;
  if (!watching_) {
    // The first deadline starts the watchdog, so that it does not start without one.
    watching_ = true;
    watch();
    return;
  }
  // The watchdog wakes at wake_at_ and sleeps again if the deadline has moved further away
  // since; it is woken early only for a deadline before its wake-up. A busy connection, whose
  // deadlines move forward with every request, thus touches the timer queue about once per
  // timeout rather than once per request.
  if (deadline_ < wake_at_) timer_.cancel();
}

// The watchdog is a timer's handler rather than a coroutine of its own, whose co_spawn cost
// every new connection a few thousand instructions. The handler holds the connection, so the
// connection lives until the watchdog has seen it close.
void connection::watch() {
  wake_at_ = deadline_;
  timer_.expires_at(wake_at_);
  timer_.async_wait([self = shared_from_this()](const asio::error_code&) { self->on_watch(); });
}

void connection::on_watch() {
  if (closed_) return;
  if (std::chrono::steady_clock::now() >= deadline_) {
    deadline_ = std::chrono::steady_clock::now() + far_future;
    asio::error_code ec;
    if (waiting_ == wait_state::idle && idle_until_) {
      // Idle long enough to be parked, not long enough to be closed.
      parking_ = true;
    } else {
      timed_out_ = true;
    }
    socket_.cancel(ec);
  }
  watch();
}

// Only a connection that has answered a request waits the idle timeout (a new one gets the
// header timeout), and only one that would wait longer than park_after is worth parking.
bool connection::may_park() const {
  return worker_.parking != nullptr && requests_served_ > 0 && !worker_.draining &&
         worker_.opts.idle_timeout > idle_parking::park_after && unparsed().empty();
}

void connection::park() {
  closed_ = true;
  timer_.cancel();
  asio::error_code ec;
  if (worker_.draining) {
    // The drain has already closed the parked connections; an idle one is closed too.
    socket_.close(ec);
    return;
  }
  const bool v6 = socket_.local_endpoint(ec).protocol() == asio::ip::tcp::v6();
  const int fd = socket_.release(ec);
  if (ec) {
    socket_.close(ec);
    return;
  }
  worker_.parking->park({fd, v6, requests_served_}, *idle_until_);
}

void connection::close_if_idle() {
  if (waiting_ == wait_state::idle) {
    asio::error_code ec;
    socket_.cancel(ec);
  }
}

asio::mutable_buffer connection::begin_read(wait_state state) {
  switch (state) {
    case wait_state::idle:
      if (may_park()) {
        idle_until_ = coarse_steady_now() + worker_.opts.idle_timeout;
        arm(idle_parking::park_after);
        break;
      }
      // A new connection gets the header timeout for its first request, so that clients
      // that connect and say nothing cannot hold a connection for the whole idle timeout.
      arm(requests_served_ == 0 ? worker_.opts.header_timeout : worker_.opts.idle_timeout);
      break;
    case wait_state::head:
      // The head must be complete within the header timeout of its first octet, however
      // slowly it trickles in (a slowloris client gets 408).
      if (!head_armed_) arm(worker_.opts.header_timeout);
      head_armed_ = true;
      break;
    case wait_state::body:
      arm(worker_.opts.body_timeout);
      break;
    default:
      arm(worker_.opts.linger_timeout);
      break;
  }
  waiting_ = state;  // before any wait, so that a drain sees an idle connection as idle
  // Allocated before the first read rather than after an async_wait for readability, which
  // costs Asio an epoll_ctl; a client usually sends its request with the connection.
  if (in_.capacity() < initial_read_buffer) in_.reserve(initial_read_buffer);
  if (in_.room_size() < 512 && state != wait_state::body) {
    // No head is in use while a head is being read, so the buffer may move.
    in_.reserve(in_.capacity() * 2);
  }
  return asio::buffer(in_.room(), in_.room_size());
}

std::size_t connection::end_read(wait_state state, const asio::error_code& ec, std::size_t n) {
  if (!ec) {
    in_.commit(n);
    idle_until_.reset();
    ++worker_.reads;
    parking_ = false;  // the request came before the watchdog's cancel took effect
  }
  if (!ec && state == wait_state::idle) {
    // The first octets of a head: its header timeout starts now.
    arm(worker_.opts.header_timeout);
    head_armed_ = true;
  }
  waiting_ = wait_state::other;
  return ec ? 0 : n;
}

asio::awaitable<std::size_t> connection::read_more(wait_state state) {
  asio::mutable_buffer room = begin_read(state);
  auto [ec, n] = co_await socket_.async_read(room, true, nothrow);
  co_return end_read(state, ec, n);
}

// RFC 9110 §15.2: no 1xx to an HTTP/1.0 client.
void connection::append_interim(const response& r, bool http10, std::string& out) {
  if (http10) return;
  for (const interim_response& i : r.interim)
    http1::serialize_response_head(i.status, i.fields, http1::content_size::empty(), {}, out);
}

http1::response_options connection::final_head_options(const response& r,
                                                       const http1::request_head* head,
                                                       bool head_request) {
  const bool http10 = head != nullptr && head->version_minor == 0;
  http1::response_options o;
  o.head_request = head_request;
  o.peer_version_minor = http10 ? 0 : 1;
  o.keep_alive = head != nullptr && head->keep_alive && !r.close && !worker_.draining;
  o.date = worker_.dates.now();
  o.server = worker_.opts.server_header;
  return o;
}

bool connection::queue(response& r, const http1::request_head* head, bool head_request) {
  const bool http10 = head != nullptr && head->version_minor == 0;

  if (heads_.capacity() < initial_buffer) take_spare(heads_);
  const std::size_t head_begin = heads_.size();
  append_interim(r, http10, heads_);
  const http1::response_options o = final_head_options(r, head, head_request);
  if (r.status < 200 && r.status != 101) {
    // A 1xx is never final: a client would wait for ever for the response that follows it.
    response failure = error_response(500, "The server built an invalid response.", std::nullopt,
                                      "interim-as-final");
    failure.close = true;
    heads_.resize(head_begin);
    return queue(failure, head, head_request);
  }
  const bool no_content = core::has_no_content_by_definition(r.status);
  if (no_content) r.body.pieces.clear();
  http1::content_size size =
      no_content ? http1::content_size::empty() : http1::content_size::known(r.body.size());
  http1::serialized_head s = http1::serialize_response_head(r.status, r.fields, size, o, heads_);
  if (s.failure) {
    heads_.resize(head_begin);
    // The server's own answer to that failing too would recurse for ever: the connection ends
    // without it (server::start refuses the one option that could cause it, the Server value).
    if (r.reason_token == "invalid-response") {
      log(head, 500, 0, "invalid-response");
      return false;
    }
    // A handler built a response the wire cannot carry: that is the server's fault.
    response failure = error_response(500, "The server built an invalid response.", std::nullopt,
                                      "invalid-response");
    failure.close = true;
    return queue(failure, head, head_request);
  }
  const std::uint64_t bytes = s.framing == http1::body_framing::none ? 0 : r.body.size();
  const bool read_behind = s.framing != http1::body_framing::none && read_small_content(r.body);
  pending& out = out_.emplace_back();
  out.head_begin = head_begin;
  out.head_end = heads_.size();
  if (s.framing != http1::body_framing::none && !read_behind) out.body = std::move(r.body);
  log(head, r.status, bytes, r.reason_token);
  return s.keep_alive;
}

// Small content with parts of files in it (a range of a large file, a multipart/byteranges
// response of small ranges, a file too large to be kept in memory) is copied into the heads'
// buffer behind its head, the file parts with pread, so that both leave in the batch's one
// sendmsg: a pread costs what a sendfile would, and the head needs no system call of its own.
// Larger content goes out part by part, each file part with sendfile, as nginx sends it.
// Returns false, leaving the content to be sent as it is, for content without file parts, for
// larger content and for a file that has shrunk (send_file then finds the shortfall and ends
// the connection, as it must when the promised length cannot be met).
bool connection::read_small_content(const content& body) {
  bool any_file = false;
  for (const content_piece& piece : body.pieces)
    any_file = any_file || std::holds_alternative<file_part>(piece);
  if (!any_file || body.size() > small_content) return false;
  const std::size_t rollback = heads_.size();
  for (const content_piece& piece : body.pieces) {
    if (const std::optional<std::string_view> octets = in_memory(piece)) {
      heads_.append(*octets);
      continue;
    }
    const file_part& part = std::get<file_part>(piece);
    const std::size_t at = heads_.size();
    heads_.resize(at + static_cast<std::size_t>(part.length));
    if (read_file_part(part, heads_.data() + at) != part.length) {
      heads_.resize(rollback);
      return false;
    }
  }
  return true;
}

void connection::log(const http1::request_head* head, int status, std::uint64_t bytes,
                     std::string_view reason) {
  if (worker_.log == nullptr) return;
  access_entry e;
  e.peer = peer_;
  e.start = request_wall_start_;
  if (head != nullptr) {
    e.method = head->method;
    e.target = head->target;
    e.version_minor = head->version_minor;
  }
  e.status = status;
  e.bytes_sent = bytes;
  e.referer = field_or_empty(head, "Referer");
  e.user_agent = field_or_empty(head, "User-Agent");
  e.duration = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::steady_clock::now() - request_start_);
  e.reason = reason;
  worker_.log->write(e);
}

asio::awaitable<bool> connection::send_file(int fd, std::uint64_t offset, std::uint64_t length) {
  auto off = static_cast<off_t>(offset);
  while (length > 0) {
    ssize_t n = ::sendfile(socket_.native_handle(), fd, &off,
                           static_cast<std::size_t>(std::min<std::uint64_t>(length, 1u << 30)));
    if (n > 0) {
      length -= static_cast<std::uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      arm(worker_.opts.send_timeout);  // the timeout bounds a stall, not the whole transfer
      auto [ec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_write, nothrow);
      if (ec) co_return false;
      continue;
    }
    // The file shrank under us: the promised length can no longer be met, so the connection
    // must end rather than carry a response shorter than its Content-Length.
    co_return false;
  }
  co_return true;
}

namespace {

// Moves `first` past the `n` octets sent, and past empty buffers; returns whether every buffer
// is sent.
bool consume(std::vector<asio::const_buffer>& buffers, std::size_t& first, std::size_t n) {
  while (first < buffers.size() && (n > 0 || buffers[first].size() == 0)) {
    std::size_t take = std::min(n, buffers[first].size());
    buffers[first] += take;
    n -= take;
    if (buffers[first].size() == 0) ++first;
  }
  return first == buffers.size();
}

}  // namespace

// Writes every buffer, re-arming the send timeout whenever the peer takes some: the timeout
// bounds a stall, so a slow but steady reader of a large response is not dropped. Each pass
// sends at once (stream_socket::send_now) and waits for room only when the socket has none.
asio::awaitable<bool> connection::write_all(std::vector<asio::const_buffer>& buffers,
                                            bool file_follows) {
  // MSG_MORE before a sendfile: the head and the file's first octets leave in the same
  // segments rather than the head alone (nginx corks for the same reason).
  const int flags = file_follows ? MSG_MORE : 0;
  std::size_t first = 0;
  // Nothing to send (the end of a response whose file went out last) costs no system call.
  if (consume(buffers, first, 0)) {
    buffers.clear();
    co_return true;
  }
  while (true) {
    const net::send_result put =
        socket_.send_now(std::span<const asio::const_buffer>(buffers).subspan(first), flags);
    if (put.error) co_return false;
    if (consume(buffers, first, put.sent)) break;
    if (put.sent > 0) continue;
    waiting_ = wait_state::sending;
    arm(worker_.opts.send_timeout);
    auto [ec] = co_await socket_.async_wait(asio::ip::tcp::socket::wait_write, nothrow);
    if (ec) co_return false;
  }
  buffers.clear();
  co_return true;
}

namespace {

// Appends a piece held in memory to `buffers`; false for a file part, which goes out apart.
bool add_in_memory(const content_piece& piece, std::vector<asio::const_buffer>& buffers) {
  const std::optional<std::string_view> octets = in_memory(piece);
  if (octets && !octets->empty()) buffers.emplace_back(asio::buffer(*octets));
  return octets.has_value();
}

}  // namespace

bool connection::gather_batch() {
  buffers_.clear();
  for (const pending& p : out_) {
    buffers_.emplace_back(asio::buffer(heads_.data() + p.head_begin, p.head_end - p.head_begin));
    for (const content_piece& piece : p.body.pieces)
      if (!add_in_memory(piece, buffers_)) return false;
  }
  return true;
}

bool connection::end_batch(bool sent) {
  buffers_.clear();
  out_.clear();
  give_back(heads_);
  waiting_ = wait_state::other;
  return sent && !timed_out_;
}

asio::awaitable<bool> connection::flush() {
  if (out_.empty()) co_return true;
  waiting_ = wait_state::sending;
  buffers_.clear();
  bool ok = true;
  for (pending& p : out_) {
    buffers_.emplace_back(asio::buffer(heads_.data() + p.head_begin, p.head_end - p.head_begin));
    for (const content_piece& piece : p.body.pieces) {
      if (add_in_memory(piece, buffers_)) continue;
      const file_part& part = std::get<file_part>(piece);
      if (!(ok = co_await write_all(buffers_, true))) break;
      if (!(ok = co_await send_file(*part.fd, part.offset, part.length))) break;
    }
    if (!ok) break;
  }
  if (ok) ok = co_await write_all(buffers_, false);
  co_return end_batch(ok);
}

// The batch in one sendmsg made here, unless it has file parts; the rest, if the socket takes
// only part of it, is for finish_batch.
connection::batch_state connection::send_batch_now() {
  if (!gather_batch()) return batch_state::has_files;
  const net::send_result put = socket_.send_now(buffers_);
  std::size_t first = 0;
  if (!put.error && !consume(buffers_, first, put.sent)) {
    buffers_.erase(buffers_.begin(), buffers_.begin() + static_cast<std::ptrdiff_t>(first));
    return batch_state::partly_sent;
  }
  return end_batch(!put.error) ? batch_state::sent : batch_state::failed;
}

asio::awaitable<bool> connection::finish_batch(batch_state batch) {
  if (batch == batch_state::partly_sent) {
    const bool sent = co_await write_all(buffers_, false);
    co_return end_batch(sent);
  }
  if (batch == batch_state::has_files) co_return co_await flush();
  co_return batch == batch_state::sent;
}

// RFC 9112 §9.6: lingering keeps a reset from destroying the response only while the client
// may still be sending. After a whole request, with nothing unread here or in the kernel (as
// nginx decides it), a plain close sends FIN after the response.
bool connection::nothing_unread() {
  asio::error_code ec;
  return unparsed().empty() && socket_.available(ec) == 0 && !ec;
}

asio::awaitable<void> connection::close_after_response() {
  if (nothing_unread()) {
    close_now();
    co_return;
  }
  co_await linger_and_close();
}

asio::awaitable<void> connection::linger_and_close() {
  // RFC 9112 §9.6: close in stages, so a client still sending reads our response instead of
  // a TCP reset: stop sending, then read and discard for a bounded time.
  asio::error_code ec;
  socket_.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
  if (!ec) {
    arm(worker_.opts.linger_timeout);
    char discard[4096];
    while (!timed_out_) {
      auto [read_ec, n] = co_await socket_.async_read(asio::buffer(discard), true, nothrow);
      if (read_ec || n == 0) break;
    }
  }
  close_now();
}

asio::awaitable<void> connection::run_upgraded(upgraded_protocol& protocol) {
  std::string out;
  bool open = protocol.on_data(unparsed(), out);
  in_.clear();
  in_start_ = 0;
  char buffer[4096];
  while (true) {
    if (!out.empty()) {
      arm(worker_.opts.send_timeout);
      auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(out), nothrow);
      if (ec) break;
      out.clear();
    }
    if (!open) break;
    arm(worker_.opts.idle_timeout);
    auto [ec, n] = co_await socket_.async_read(asio::buffer(buffer), true, nothrow);
    if (ec) break;
    open = protocol.on_data(std::string_view(buffer, n), out);
  }
}

asio::awaitable<response> connection::run_deferred(response pending_response,
                                                   const http1::request_head& head) {
  auto work = std::move(pending_response.deferred);
  const auto interval = pending_response.processing_interval;
  // The work's result comes back on this worker's thread; until then this coroutine stays
  // suspended, so the references the work and the completion hold stay valid.
  std::optional<response> result;
  std::string failure;
  asio::steady_timer wake(socket_.get_executor(), std::chrono::steady_clock::time_point::max());
  // The pool thread reaches the worker through `mail` only, never through this connection.
  asio::post(worker_.slow_work, [&, work = std::move(work), mail = worker_.mail] {
    response r;
    std::string error;
    try {
      r = work();
    } catch (const std::exception& e) {
      error = e.what();
    }
    mail->post([&, r = std::move(r), error = std::move(error)]() mutable {
      result = std::move(r);
      failure = std::move(error);
      wake.cancel();
    });
  });
  bool can_send = head.version_minor >= 1 && interval.count() > 0;
  // Only this thread sets `result`, and only while this coroutine is suspended.
  while (!result) {
    if (can_send)
      wake.expires_after(interval);
    else
      wake.expires_at(std::chrono::steady_clock::time_point::max());
    co_await wake.async_wait(nothrow);
    if (result || !can_send) continue;
    // RFC 2518 §10.1: 102 says the server is still processing; the final response follows.
    static constexpr std::string_view processing = "HTTP/1.1 102 Processing\r\n\r\n";
    arm(worker_.opts.send_timeout);
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(processing), nothrow);
    if (ec) can_send = false;
  }
  if (!failure.empty()) {
    fmt::print(stderr, "herald: slow work failed on {} {}: {}\n", head.method, head.target,
               failure);
    co_return error_response(500, "The server failed while handling the request.",
                             head.find("Accept"), "handler-exception");
  }
  co_return std::move(*result);
}

asio::awaitable<bool> connection::pause(std::chrono::milliseconds length) {
  if (length.count() <= 0) co_return true;
  arm(length + worker_.opts.send_timeout);
  asio::steady_timer sleep(socket_.get_executor(), length);
  auto [ec] = co_await sleep.async_wait(nothrow);
  co_return !ec && !timed_out_;
}

asio::awaitable<bool> connection::write_text(std::string_view text) {
  if (text.empty()) co_return true;
  arm(worker_.opts.send_timeout);
  auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(text), nothrow);
  co_return !ec && !timed_out_;
}

asio::awaitable<bool> connection::deliver(response& r, const http1::request_head& head,
                                          bool head_request) {
  std::shared_ptr<const delivery> plan = std::move(r.paced);
  if (!co_await flush()) co_return false;
  std::uint64_t sent = 0;
  bool whole = false;
  bool keep = false;
  if (plan->raw) {
    if (co_await write_text(*plan->raw)) co_await pause(plan->hold);
  } else {
    whole = co_await deliver_framed(r, *plan, head, head_request, sent, keep);
  }
  log(&head, r.status, sent, whole ? std::string_view(r.reason_token) : "cut-short");
  ++requests_served_;
  if (whole && keep) co_return true;
  co_await close_after_response();
  co_return false;
}

asio::awaitable<bool> connection::deliver_framed(response& r, const delivery& plan,
                                                 const http1::request_head& head, bool head_request,
                                                 std::uint64_t& sent, bool& keep) {
  const bool http10 = head.version_minor == 0;
  std::string text;
  append_interim(r, http10, text);
  if (!co_await write_text(text)) co_return false;
  const bool send_processing = !http10 && r.processing_interval.count() > 0;
  for (auto left = plan.delay; left.count() > 0;) {
    auto step = send_processing ? std::min(left, r.processing_interval) : left;
    if (!co_await pause(step)) co_return false;
    left -= step;
    if (left.count() > 0 && send_processing &&
        !co_await write_text("HTTP/1.1 102 Processing\r\n\r\n"))
      co_return false;
  }

  http1::response_options o = final_head_options(r, &head, head_request);
  o.keep_alive = o.keep_alive && !plan.cut_after;
  const bool no_content = core::has_no_content_by_definition(r.status);
  if (no_content) r.body.pieces.clear();
  http1::content_size size = no_content     ? http1::content_size::empty()
                             : plan.chunked ? http1::content_size::unknown()
                                            : http1::content_size::known(r.body.size());
  // Trailers need the chunked coding, which an HTTP/1.0 client does not get: announce none.
  if (plan.chunked && http10) r.fields.erase("Trailer");
  text.clear();
  http1::serialized_head s = http1::serialize_response_head(r.status, r.fields, size, o, text);
  if (s.failure) {
    response failure = error_response(500, "The server built an invalid response.", std::nullopt,
                                      "invalid-response");
    failure.close = true;
    queue(failure, &head, head_request);
    co_await flush();
    co_return false;
  }
  keep = s.keep_alive;
  if (!co_await write_text(text)) co_return false;
  if (s.framing == http1::body_framing::none) co_return true;

  const bool chunks = s.framing == http1::body_framing::chunked;
  const std::uint64_t limit = plan.cut_after.value_or(UINT64_MAX);
  for (std::size_t i = 0; i < r.body.pieces.size() && sent < limit; ++i) {
    const content_piece& piece = r.body.pieces[i];
    std::array<char, 20> size_line;
    if (const auto* part = std::get_if<file_part>(&piece)) {
      std::uint64_t length = std::min(part->length, limit - sent);
      if (chunks && !co_await write_text(http1::chunk_header(length, size_line))) co_return false;
      if (!co_await send_file(*part->fd, part->offset, length)) co_return false;
      sent += length;
    } else {
      std::string_view octets = std::holds_alternative<std::string>(piece)
                                    ? std::string_view(std::get<std::string>(piece))
                                    : std::get<shared_text>(piece).view();
      if (octets.empty()) continue;  // an empty chunk would end the content
      octets = octets.substr(
          0, static_cast<std::size_t>(std::min<std::uint64_t>(octets.size(), limit - sent)));
      text.clear();
      if (chunks) text = http1::chunk_header(octets.size(), size_line);
      text += octets;
      if (!co_await write_text(text)) co_return false;
      sent += octets.size();
    }
    if (chunks && !co_await write_text(http1::chunk_end)) co_return false;
    if (sent < limit && i + 1 < r.body.pieces.size() && !co_await pause(plan.between_pieces))
      co_return false;
  }
  if (sent >= limit) co_return false;
  if (chunks) {
    // RFC 9112 §7.1.2: the trailer section follows the last chunk.
    text = "0\r\n";
    for (auto [name, value] : plan.trailers)
      fmt::format_to(std::back_inserter(text), "{}: {}\r\n", name, value);
    text += "\r\n";
    if (!co_await write_text(text)) co_return false;
  }
  co_return true;
}

asio::awaitable<void> connection::refuse_overloaded() {
  close_at_exit closer(*this);
  request_start_ = std::chrono::steady_clock::now();
  request_wall_start_ = std::chrono::system_clock::now();
  response r = error_response(503, "The server has too many connections; retry later.",
                              std::nullopt, "over-capacity");
  r.fields.set("Retry-After", fmt::format("{}", worker_.opts.retry_after.count()));
  r.close = true;
  queue(r, nullptr, false);
  co_await flush();
  co_await linger_and_close();
}

// Reads the rest of a head, and answers requests until none is left unanswered; then hands
// the connection to wait_idle. The common request is answered without a coroutine of its own,
// which would cost a frame and a resumption per request.
asio::awaitable<void> connection::run() {
  close_at_exit closer(*this);
  http1::parse_result parsed;
  // answer_at_once's response that needs waiting; allocated only then, since this frame is
  // what every idle connection holds.
  std::unique_ptr<response> special;
  while (!closed_) {
    start_head();
    bool complete = false;
    while (true) {
      parsed = parser_.parse(unparsed());
      complete = parsed.state == http1::parse_state::complete;
      if (complete) break;
      const bool fresh = unparsed().empty();
      if (parsed.state == http1::parse_state::rejected) {
        queue_rejection(parsed.failure);
        co_await flush();
        co_await linger_and_close();
        break;
      }
      // Nothing more to parse: the responses of this batch go out together now. A batch with
      // no file to send is sent here, in one send as a rule (write_all's first pass, inline),
      // rather than by a nested flush(), which would cost a frame and a resumption per request.
      if (!out_.empty()) {
        const batch_state batch = send_batch_now();
        bool sent = batch == batch_state::sent;
        if (batch == batch_state::partly_sent || batch == batch_state::has_files)
          sent = co_await finish_batch(batch);
        if (!sent) break;
      }
      if (fresh && worker_.draining) break;
      if (fresh) {
        wait_idle();
        co_return;
      }
      if (in_start_ > 0) {
        // The parser's progress is relative to the unparsed bytes, so moving them keeps it.
        in_.erase(0, in_start_);
        in_start_ = 0;
      }
      // read_more's steps, inline: a nested coroutine costs a frame per request.
      const asio::mutable_buffer room = begin_read(wait_state::head);
      auto [ec, got] = co_await socket_.async_read(room, true, nothrow);
      const std::size_t n = end_read(wait_state::head, ec, got);
      if (n == 0) {
        if (timed_out_ && !parking_) {
          timed_out_ = false;
          queue_head_timeout();
          co_await flush();
          co_await linger_and_close();
        }
        break;
      }
    }
    if (!complete) break;
    const next_step next = answer_at_once(parsed, special);
    if (next == next_step::read_next) continue;
    const bool open = co_await take_step(next, parsed, std::move(special));
    if (!open) break;
  }
}

asio::awaitable<bool> connection::take_step(next_step next, http1::parse_result parsed,
                                            std::unique_ptr<response> special) {
  if (next == next_step::serve_one) co_return co_await serve_one(parsed);
  if (next == next_step::finish_special) co_return co_await finish_special(std::move(*special));
  co_await flush();
  if (next == next_step::close_lingering) {
    co_await linger_and_close();
  } else if (next == next_step::close_after_response) {
    co_await close_after_response();
  } else {
    // What nginx logs as 444: no response to this request, but those before it were owed.
    log(&parser_.head(), 444, 0, "denied");
  }
  co_return false;
}

void connection::start() {
  try {
    start_head();
    wait_idle();
  } catch (...) {
    // The watchdog, once armed, would otherwise keep the connection open with nothing to
    // read from it.
    close_now();
    throw;
  }
}

// The wait for a next request, as a completion handler rather than a coroutine's: resuming a
// coroutine through Asio's awaitable machinery cost about 300 instructions more per request
// (bench/instructions). The next request cannot be there before epoll says so if the last read
// emptied the socket: the client has not seen the response yet (net/stream_socket.hpp).
void connection::wait_idle() {
  if (in_start_ > 0) {
    in_.erase(0, in_start_);
    in_start_ = 0;
  }
  const asio::mutable_buffer room = begin_read(wait_state::idle);
  socket_.async_read(room, false,
                     [self = shared_from_this()](const asio::error_code& ec, std::size_t n) {
                       self->on_idle_read(ec, n);
                     });
  // Only now: a read that failed to start leaves the connection to its coroutine's guard. The
  // read completes through the scheduler, never within async_read.
  idle_read_pending_ = true;
}

// An exception must not leave a completion handler: it would end the worker's io_context. It
// closes the connection, as it does when it ends one of the connection's coroutines.
void connection::on_idle_read(const asio::error_code& ec, std::size_t n) noexcept {
  idle_read_pending_ = false;
  try {
    if (end_read(wait_state::idle, ec, n) == 0) {
      if (parking_ && !closed_) park();
    } else {
      serve_ready();
      return;
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "herald: connection failed: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "herald: connection failed\n");
  }
  close_now();
}

// run()'s loop for requests that arrived whole, without a coroutine: answers each, sends the
// batch, and waits for the next, or closes after a last response; anything that needs waiting
// goes to a coroutine (hand_over).
void connection::serve_ready() {
  http1::parse_result parsed;
  std::unique_ptr<response> special;
  next_step next = next_step::read_next;
  while (true) {
    start_head();
    parsed = parser_.parse(unparsed());
    if (parsed.state != http1::parse_state::complete) break;
    next = answer_at_once(parsed, special);
    if (next != next_step::read_next) break;
  }
  const bool whole = parsed.state == http1::parse_state::complete || unparsed().empty();
  if (!whole || (next != next_step::read_next && next != next_step::close_after_response)) {
    // A partial or malformed head (run() parses it again), or a step that takes waiting.
    hand_over(batch_state::sent, next, parsed, std::move(special));
    return;
  }
  if (!out_.empty()) {
    const batch_state batch = send_batch_now();
    if (batch == batch_state::failed) {
      close_now();
      return;
    }
    if (batch != batch_state::sent) {
      hand_over(batch, next, parsed, std::move(special));
      return;
    }
  }
  if (next == next_step::close_after_response) {
    // close_after_response's plain close, here: the usual end of a connection.
    if (nothing_unread()) {
      close_now();
      return;
    }
    hand_over(batch_state::sent, next, parsed, std::move(special));
    return;
  }
  if (worker_.draining) {
    close_now();
    return;
  }
  wait_idle();
}

void connection::hand_over(batch_state batch, next_step next, http1::parse_result parsed,
                           std::unique_ptr<response> special) {
  asio::co_spawn(
      socket_.get_executor(),
      [self = shared_from_this(), batch, next, parsed, special = std::move(special)]() mutable {
        return self->resume(batch, next, parsed, std::move(special));
      },
      asio::detached);
}

asio::awaitable<void> connection::resume(batch_state batch, next_step next,
                                         http1::parse_result parsed,
                                         std::unique_ptr<response> special) {
  close_at_exit closer(*this);
  bool open = true;
  if (batch != batch_state::sent) open = co_await finish_batch(batch);
  if (open && next != next_step::read_next)
    open = co_await take_step(next, parsed, std::move(special));
  if (open && !closed_) co_await run();
}

void connection::start_head() {
  parser_.reset();
  head_armed_ = false;
  mark_request_start();
  if (in_start_ == in_.size() && in_start_ > 0) {
    in_.clear();
    in_start_ = 0;
    // A buffer that grew for one large request is not kept by an idle connection.
    if (in_.capacity() > 4 * initial_buffer) in_.release();
  }
}

// Constructs the handler's response in place (no default response moved over), and turns an
// exception into a 500.
response connection::handle_guarded(request& req, std::optional<std::string_view> accept) {
  try {
    return worker_.h.handle(req);
  } catch (const std::exception& e) {
    fmt::print(stderr, "herald: handler failed on {} {}: {}\n", req.head.method, req.head.target,
               e.what());
    return error_response(500, "The server failed while handling the request.", accept,
                          "handler-exception");
  }
}

// Kept out of the coroutines: a response is large, and a coroutine keeps each of its locals
// in its frame for as long as it lives (run()'s for the connection's life).
void connection::queue_rejection(http1::error failure) {
  // The fields parsed before the fault still say what the client accepts, and a HEAD request
  // gets no content even when it is malformed (RFC 9110 §9.3.2).
  response r = rejection_response(failure, parser_.head().find("Accept"));
  queue(r, nullptr, unparsed().starts_with("HEAD "));
}

void connection::queue_head_timeout() {
  // RFC 9110 §15.5.9: the head did not arrive in time.
  response r = error_response(408, "The request head did not arrive in time.", std::nullopt,
                              "header-timeout");
  r.close = true;
  queue(r, nullptr, false);
}

bool connection::needs_waiting(const response& r) {
  return r.deferred || r.paced || r.status == 101;
}

bool connection::queue_final(response& r, bool head_request) {
  const bool keep = queue(r, &parser_.head(), head_request);
  ++requests_served_;
  return keep;
}

// The answers given before the handler's: the protocol's own (503 draining, 417, 501...), and
// what the handler says of the request from its head alone (`decision`).
std::optional<response> connection::early_answer(request& req,
                                                 std::optional<std::string_view> accept,
                                                 content_decision& decision) {
  protocol_context context{worker_.opts, false, worker_.draining, worker_.allow};
  if (std::optional<response> refusal = protocol_response(req.head, context)) return refusal;
  try {
    decision = worker_.h.prepare(req);
  } catch (const std::exception& e) {
    fmt::print(stderr, "herald: handler failed preparing {} {}: {}\n", req.head.method,
               req.head.target, e.what());
    return error_response(500, "The server failed while handling the request.", accept,
                          "handler-exception");
  }
  if (decision.refuse) return std::move(decision.refuse);
  return std::nullopt;
}

// The common request, without content, answered without a coroutine of its own (which would
// cost a frame and a resumption per request). Does nothing and returns serve_one for a request
// with content; hands a response that needs waiting over in `special`.
connection::next_step connection::answer_at_once(const http1::parse_result& parsed,
                                                 std::unique_ptr<response>& special) {
  const http1::request_head& head = parser_.head();
  if (head.framing != http1::body_framing::none) return next_step::serve_one;
  in_start_ += parsed.consumed;
  if (denied_path(head, worker_.opts)) return next_step::deny;
  request req{head, {}, false, peer_, worker_.reads};
  const bool head_request = head.known_method == core::method::head;
  const auto accept = head.find("Accept");
  content_decision decision;
  if (std::optional<response> early = early_answer(req, accept, decision))
    return queue(*early, &head, head_request) ? next_step::read_next : next_step::close_lingering;
  response r = handle_guarded(req, accept);
  if (needs_waiting(r)) {
    special = std::make_unique<response>(std::move(r));
    return next_step::finish_special;
  }
  return queue_final(r, head_request) ? next_step::read_next : next_step::close_after_response;
}

// Serves a request with content, whose head run() parsed. Returns whether the connection stays
// open for another.
asio::awaitable<bool> connection::serve_one(http1::parse_result parsed) {
  const http1::request_head& head = parser_.head();
  if (in_.capacity() - in_start_ < parsed.consumed + worker_.opts.limits.max_trailer_section +
                                       worker_.opts.limits.max_chunk_extensions + 64) {
    // Reading the content must never move the buffer the head points into: make room first,
    // then parse the head again in its new place.
    in_.reserve(in_start_ + parsed.consumed + worker_.opts.limits.max_trailer_section +
                worker_.opts.limits.max_chunk_extensions + 64 + read_chunk);
    parser_.reset();
    parsed = parser_.parse(unparsed());
  }
  const std::size_t body_floor = in_start_ + parsed.consumed;
  in_start_ = body_floor;

  if (denied_path(head, worker_.opts)) {
    // What nginx logs as 444, as in run().
    co_await flush();
    log(&head, 444, 0, "denied");
    co_return false;
  }

  request req{head, {}, false, peer_, worker_.reads};
  const bool head_request = head.known_method == core::method::head;
  const auto accept = head.find("Accept");

  // Every answer given before the handler's is built into `early`, outside any co_await
  // expression: GCC keeps each response temporary of such an expression in the coroutine
  // frame.
  response early;
  // Answers without reading the content: the connection cannot be reused, and closes in
  // stages.
  auto answer_early = [&]() -> asio::awaitable<bool> {
    early.close = true;
    queue(early, &head, head_request);
    co_await flush();
    co_await linger_and_close();
    co_return false;
  };

  content_decision decision;
  bool answer_now = false;
  if (std::optional<response> refusal = early_answer(req, accept, decision)) {
    early = std::move(*refusal);
    answer_now = true;
  }
  if (answer_now) co_return co_await answer_early();

  auto too_large = [&]() {
    return error_response(
        413,
        fmt::format("The content is larger than this resource accepts ({} octets).",
                    decision.max_size),
        accept, "content-too-large");
  };
  if (head.framing == http1::body_framing::content_length &&
      head.content_length > decision.max_size) {
    early = too_large();
    co_return co_await answer_early();
  }
  if (decision.send_continue && wants_continue(head) && unparsed().empty()) {
    // RFC 9110 §10.1.1: the client waits for 100 before sending the content; send it only
    // now that the content will be read.
    if (!co_await flush()) co_return false;
    static constexpr std::string_view continue_line = "HTTP/1.1 100 Continue\r\n\r\n";
    auto [ec, n] = co_await asio::async_write(socket_, asio::buffer(continue_line), nothrow);
    if (ec) co_return false;
  }
  body_.start(head.framing, head.content_length);
  while (!body_.done()) {
    http1::body_decoder::result piece = body_.decode(unparsed());
    if (piece.failure) {
      early = rejection_response(*piece.failure, accept);
      queue(early, &head, head_request);
      co_await flush();
      co_await linger_and_close();
      co_return false;
    }
    req.body.append(piece.content);
    in_start_ += piece.consumed;
    if (req.body.size() > decision.max_size) {
      early = too_large();
      co_return co_await answer_early();
    }
    if (body_.done()) break;
    if (piece.consumed == 0 || unparsed().empty()) {
      // Reclaim the room of the content already decoded, without moving the head.
      in_.erase(body_floor, in_start_ - body_floor);
      in_start_ = body_floor;
      // The responses to requests pipelined before this one are ready: they go out before the
      // wait, since a client may wait for them before it sends this content.
      if (!out_.empty()) {
        const bool sent = co_await flush();
        if (!sent) co_return false;
      }
      std::size_t n = co_await read_more(wait_state::body);
      if (n == 0) {
        if (timed_out_) {
          timed_out_ = false;
          early = error_response(408, "The request content stopped arriving.", accept,
                                 "body-timeout");
          early.close = true;
          queue(early, &head, head_request);
          co_await flush();
          co_await linger_and_close();
        }
        co_return false;
      }
    }
  }

  response r = handle_guarded(req, accept);
  if (needs_waiting(r)) co_return co_await finish_special(std::move(r));
  co_return co_await send_final(r, head_request);
}

// Queues the handler's response and, if the connection may not go on, sends it and closes.
asio::awaitable<bool> connection::send_final(response& r, bool head_request) {
  if (queue_final(r, head_request)) co_return true;
  co_await flush();
  co_await close_after_response();
  co_return false;
}

// The rest of a request whose response is slow work, paced, or a switch of protocols.
asio::awaitable<bool> connection::finish_special(response r) {
  const http1::request_head& head = parser_.head();
  const bool head_request = head.known_method == core::method::head;
  if (r.deferred) {
    // The responses to requests pipelined before this one go out now, not after the work:
    // they are ready, and a 102 written ahead of them would break their order.
    if (!co_await flush()) co_return false;
    r = co_await run_deferred(std::move(r), head);
  }
  if (r.paced) co_return co_await deliver(r, head, head_request);

  // RFC 9110 §7.8: switch only to a protocol the client asked for, never for HTTP/1.0.
  if (r.status == 101 && !(r.upgrade && head.connection_upgrade && head.find("Upgrade"))) {
    r = error_response(500, "The server tried to switch protocols without an upgrade request.",
                       head.find("Accept"), "invalid-upgrade");
    r.close = true;
  }
  if (r.status == 101) {
    std::shared_ptr<upgraded_protocol> protocol = r.upgrade;
    queue(r, &head, head_request);
    if (!co_await flush()) co_return false;
    co_await run_upgraded(*protocol);
    co_return false;
  }
  co_return co_await send_final(r, head_request);
}

}  // namespace herald::server
