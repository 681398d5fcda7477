#pragma once
// One client connection: reads requests, answers them in order, and closes when the protocol,
// a timeout, an error or a drain says so. Between requests it has no coroutine: the read for
// its next request completes into a plain function that answers the common request, and only
// what needs waiting (content, a partial head, a full socket, slow work) runs in a coroutine.

#include <asio/awaitable.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <herald/http1/parser.hpp>
#include <herald/http1/serializer.hpp>
#include <herald/server/handler.hpp>

#include "net/input_buffer.hpp"
#include "net/stream_socket.hpp"
#include "server/worker.hpp"

namespace herald::server {

class connection : public std::enable_shared_from_this<connection> {
 public:
  // `socket`: a descriptor accept4(SOCK_NONBLOCK) made, which nothing else shares (parking
  // releases it and gives it back). `peer`: the client's address as text, for logs and rules.
  // `requests_served`: how many requests the connection answered before it was parked
  // (server/idle_parking.hpp).
  connection(asio::ip::tcp::socket socket, std::string peer, worker_context& worker,
             std::size_t requests_served = 0);
  ~connection();

  // Reads the first request (or the next one of a connection that was parked) at once: the
  // listener defers accepting until a request arrives (net::make_listener), and a parked
  // connection is woken by one. If it throws, the connection is closed.
  void start();
  // Drain: close now if between requests; otherwise finish the current request first.
  void close_if_idle();
  // Answer 503 and close at once: the worker is over its connection cap.
  asio::awaitable<void> refuse_overloaded();

 private:
  enum class wait_state { idle, head, body, sending, other };

  asio::awaitable<void> run();
  void start_head();
  // What run() does after answer_at_once.
  enum class next_step {
    read_next,             // answered; read the next request
    close_lingering,       // answered before the handler, and closing: send, close in stages
    close_after_response,  // answered, and closing: send, then close
    deny,                  // a denied path: send what is owed, log 444, close
    finish_special,        // the response needs waiting: finish_special
    serve_one,             // nothing done: the request has content
  };
  next_step answer_at_once(const http1::parse_result& parsed, std::unique_ptr<response>& special);
  // A step other than read_next; returns whether the connection stays open.
  asio::awaitable<bool> take_step(next_step next, http1::parse_result parsed,
                                  std::unique_ptr<response> special);

  enum class batch_state { sent, failed, partly_sent, has_files };
  // The wait for a next request, and what follows it without a coroutine.
  void wait_idle();
  void on_idle_read(const asio::error_code& ec, std::size_t n) noexcept;
  void serve_ready();
  // A coroutine for what serve_ready cannot finish: the rest of the batch, then the step
  // (unless read_next), then run().
  void hand_over(batch_state batch, next_step next, http1::parse_result parsed,
                 std::unique_ptr<response> special);
  asio::awaitable<void> resume(batch_state batch, next_step next, http1::parse_result parsed,
                               std::unique_ptr<response> special);
  std::optional<response> early_answer(request& req, std::optional<std::string_view> accept,
                                       content_decision& decision);
  static bool needs_waiting(const response& r);
  // Queues the handler's response; returns whether the connection stays open.
  bool queue_final(response& r, bool head_request);
  asio::awaitable<bool> serve_one(http1::parse_result parsed);
  asio::awaitable<bool> finish_special(response r);
  asio::awaitable<bool> send_final(response& r, bool head_request);
  response handle_guarded(request& req, std::optional<std::string_view> accept);
  void queue_rejection(http1::error failure);
  void queue_head_timeout();
  asio::awaitable<std::size_t> read_more(wait_state state);
  // read_more's two halves, for a caller that awaits the read itself: begin_read arms the
  // state's timeout and returns the room to read into, end_read takes the result.
  asio::mutable_buffer begin_read(wait_state state);
  std::size_t end_read(wait_state state, const asio::error_code& ec, std::size_t n);
  asio::awaitable<bool> flush();
  // flush's plain steps: gather_batch lists the queued responses in buffers_ and returns
  // false if one has a file to send (then flush() must send the batch); end_batch empties
  // the queue and returns whether the connection may go on.
  bool gather_batch();
  bool end_batch(bool sent);
  // send_batch_now sends a batch without file parts in one sendmsg; finish_batch sends the
  // rest of a batch it sent part of, or one with file parts (flush), and returns whether the
  // connection may go on.
  batch_state send_batch_now();
  asio::awaitable<bool> finish_batch(batch_state batch);
  asio::awaitable<bool> write_all(std::vector<asio::const_buffer>& buffers, bool file_follows);
  asio::awaitable<bool> send_file(int fd, std::uint64_t offset, std::uint64_t length);
  asio::awaitable<void> linger_and_close();
  // No octet left unread, here or in the kernel: a plain close is safe (close_after_response).
  bool nothing_unread();
  asio::awaitable<void> close_after_response();
  asio::awaitable<void> run_upgraded(upgraded_protocol& protocol);
  asio::awaitable<response> run_deferred(response pending_response,
                                         const http1::request_head& head);
  void watch();
  void on_watch();
  // A response with a delivery plan (response::paced): written piece by piece, then the
  // connection stays open only if the whole response went out and framing allows.
  asio::awaitable<bool> deliver(response& r, const http1::request_head& head, bool head_request);
  asio::awaitable<bool> deliver_framed(response& r, const delivery& plan,
                                       const http1::request_head& head, bool head_request,
                                       std::uint64_t& sent, bool& keep);
  asio::awaitable<bool> pause(std::chrono::milliseconds length);
  asio::awaitable<bool> write_text(std::string_view text);

  void append_interim(const response& r, bool http10, std::string& out);
  http1::response_options final_head_options(const response& r, const http1::request_head* head,
                                             bool head_request);
  // Queues a response for the next flush; returns whether the connection stays open.
  bool queue(response& r, const http1::request_head* head, bool head_request);
  bool read_small_content(const content& body);
  void log(const http1::request_head* head, int status, std::uint64_t bytes,
           std::string_view reason);
  void give_back(std::string& buffer);
  void take_spare(std::string& buffer);
  void mark_request_start();
  void arm(std::chrono::milliseconds timeout);
  class close_at_exit;
  void close_now();
  bool may_park() const;
  void park();
  std::string_view unparsed() const;

  net::stream_socket socket_;
  asio::steady_timer timer_;
  worker_context& worker_;
  std::string peer_;

  net::input_buffer in_;      // received octets
  std::size_t in_start_ = 0;  // first octet not yet consumed
  http1::request_parser parser_;
  http1::body_decoder body_;

  // Responses ready to send, written together by the next flush (pipelining: every response
  // of a batch goes out in one writev).
  struct pending {
    std::size_t head_begin =
        0;  // the head, and content read behind it: heads_[head_begin, head_end)
    std::size_t head_end = 0;
    content body;
  };
  std::vector<pending> out_;
  std::string heads_;  // the heads of out_, one after another; a worker's spare buffer
  std::vector<asio::const_buffer> buffers_;  // what flush writes, kept between flushes

  std::chrono::steady_clock::time_point deadline_;
  std::chrono::steady_clock::time_point wake_at_ = std::chrono::steady_clock::time_point::max();
  // While waiting for a next request that may be parked: when the idle timeout ends.
  std::optional<std::chrono::steady_clock::time_point> idle_until_;
  std::chrono::steady_clock::time_point request_start_;
  std::chrono::system_clock::time_point request_wall_start_;
  wait_state waiting_ = wait_state::other;
  bool timed_out_ = false;
  bool closed_ = false;
  bool head_armed_ = false;  // the current head's header timeout is running
  bool parking_ = false;     // the watchdog ended an idle wait to park the connection
  bool watching_ = false;    // the watchdog has started (with the first deadline)
  // wait_idle's read is pending: the coroutine that started it ends without closing.
  bool idle_read_pending_ = false;
  std::size_t requests_served_ = 0;
};

}  // namespace herald::server
