#pragma once
// Test support for the server's integration tests (header-only: each layer's test executable
// compiles only its own *_test.cpp files).
//
// - raw_client: a blocking loopback TCP client that sends raw bytes and reads responses, every
//   read bounded by a deadline (poll, with SO_RCVTIMEO as a backstop), so no test can hang.
// - http_response: an owned copy of one response read with http1::response_parser.
// - running_server: a server started in-process on 127.0.0.1, port 0, drained and joined when
//   it goes out of scope. Declare clients after it, so that they close first.
// - temp_dir: a mkdtemp directory, removed with its content at the end.
// - run_command: runs a shell command (curl) and returns its standard output and exit status.

#include <algorithm>
#include <arpa/inet.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include <herald/core/fields.hpp>
#include <herald/core/syntax.hpp>
#include <herald/http1/parser.hpp>
#include <herald/server/server.hpp>

namespace herald::test {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

// One response as read from the wire, owning its text.
struct http_response {
  int status = 0;
  int version_minor = 1;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> fields;
  http1::body_framing framing = http1::body_framing::none;
  bool keep_alive = true;  // what the head says (Connection), as the parser reads it
  std::string head;        // the raw head, status line to empty line
  std::string body;        // the decoded content

  std::optional<std::string> field(std::string_view name) const {
    for (const auto& [n, v] : fields)
      if (n.size() == name.size() && core::syntax::iequals(n, name)) return v;
    return std::nullopt;
  }
  std::size_t count(std::string_view name) const {
    return static_cast<std::size_t>(std::count_if(fields.begin(), fields.end(), [&](const auto& f) {
      return f.first.size() == name.size() && core::syntax::iequals(f.first, name);
    }));
  }
  bool has(std::string_view name) const { return count(name) > 0; }
  // Whether a list field (Connection, Allow, Vary...) holds `token`, case-insensitively.
  bool has_token(std::string_view name, std::string_view token) const {
    core::fields all;
    for (const auto& [n, v] : fields) all.add(n, v);
    return all.contains_token(name, token);
  }
};

// How the last read ended, when it did not return a response.
enum class read_end { none, timeout, closed, reset, malformed };

inline const char* to_string(read_end e) {
  switch (e) {
    case read_end::none:
      return "none";
    case read_end::timeout:
      return "timeout";
    case read_end::closed:
      return "closed";
    case read_end::reset:
      return "reset";
    case read_end::malformed:
      return "malformed";
  }
  return "?";
}

class raw_client {
 public:
  explicit raw_client(unsigned short port, std::chrono::milliseconds backstop = 5s) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error("socket() failed");
    timeval tv{};
    tv.tv_sec = static_cast<time_t>(backstop.count() / 1000);
    tv.tv_usec = static_cast<suseconds_t>((backstop.count() % 1000) * 1000);
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ::setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
      ::close(fd_);
      fd_ = -1;
      throw std::runtime_error("connect() to 127.0.0.1 failed");
    }
  }
  ~raw_client() { close(); }
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;
  raw_client(raw_client&& other) noexcept
      : fd_(std::exchange(other.fd_, -1)), in_(std::move(other.in_)), end_(other.end_) {}

  int fd() const { return fd_; }
  void close() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }
  // Closes with a TCP reset (SO_LINGER 0), as a client that vanishes does.
  void reset() {
    linger l{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close();
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

  // Sends all of `bytes`; false when the peer has closed or reset the connection.
  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // Reads one message within `timeout`: an interim (1xx) response is returned on its own, the
  // next call reads what follows. `method` decides the framing (no content for HEAD). A 101's
  // head is returned alone; the bytes after it stay in buffered().
  std::optional<http_response> read_response(std::string_view method = "GET",
                                             std::chrono::milliseconds timeout = 3s) {
    const auto deadline = steady::now() + timeout;
    end_ = read_end::none;
    http1::response_parser parser;
    http1::parse_result parsed;
    while (true) {
      parsed = parser.parse(in_, method);
      if (parsed.state == http1::parse_state::complete) break;
      if (parsed.state == http1::parse_state::rejected) {
        end_ = read_end::malformed;
        return std::nullopt;
      }
      if (!fill(deadline)) return std::nullopt;
    }
    const http1::response_head& h = parser.head();
    http_response r;
    r.status = h.status;
    r.version_minor = h.version_minor;
    r.reason = std::string(h.reason);
    for (const http1::field_line& f : h.fields) r.fields.emplace_back(f.name, f.value);
    r.framing = h.framing;
    r.keep_alive = h.keep_alive;
    r.head = in_.substr(0, parsed.consumed);
    in_.erase(0, parsed.consumed);

    switch (r.framing) {
      case http1::body_framing::none:
      case http1::body_framing::tunnel:
        break;
      case http1::body_framing::content_length:
        while (in_.size() < h.content_length)
          if (!fill(deadline)) return std::nullopt;
        r.body = in_.substr(0, h.content_length);
        in_.erase(0, h.content_length);
        break;
      case http1::body_framing::chunked: {
        http1::body_decoder decoder;
        decoder.start(http1::body_framing::chunked, 0);
        while (!decoder.done()) {
          http1::body_decoder::result piece = decoder.decode(in_);
          if (piece.failure) {
            end_ = read_end::malformed;
            return std::nullopt;
          }
          r.body.append(piece.content);
          in_.erase(0, piece.consumed);
          if (decoder.done()) break;
          if (piece.consumed == 0 || in_.empty())
            if (!fill(deadline)) return std::nullopt;
        }
        break;
      }
      case http1::body_framing::until_close:
        while (fill(deadline)) {
        }
        if (end_ != read_end::closed) return std::nullopt;
        r.body = std::move(in_);
        in_.clear();
        break;
    }
    return r;
  }

  // Reads the final response, skipping interim (1xx but 101) ones, which go to `interim`.
  std::optional<http_response> read_final(std::vector<http_response>* interim = nullptr,
                                          std::string_view method = "GET",
                                          std::chrono::milliseconds timeout = 3s) {
    const auto deadline = steady::now() + timeout;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
      auto r = read_response(method, std::max(left, 1ms));
      if (!r || r->status >= 200 || r->status == 101) return r;
      if (interim != nullptr) interim->push_back(std::move(*r));
    }
  }

  // Waits for the peer to end the connection (EOF or reset) within `timeout`. Bytes that arrive
  // meanwhile are kept in buffered(). False on timeout.
  bool wait_closed(std::chrono::milliseconds timeout = 2s) {
    const auto deadline = steady::now() + timeout;
    while (fill(deadline)) {
    }
    return end_ == read_end::closed || end_ == read_end::reset;
  }

  // True when, for `quiet`, nothing arrives and the connection is not closed.
  bool stays_quiet(std::chrono::milliseconds quiet) {
    const auto deadline = steady::now() + quiet;
    std::size_t before = in_.size();
    while (fill(deadline)) {
    }
    return end_ == read_end::timeout && in_.size() == before;
  }

  // Reads until `n` octets are buffered or the deadline passes; returns them (consumed).
  std::string read_exactly(std::size_t n, std::chrono::milliseconds timeout = 3s) {
    const auto deadline = steady::now() + timeout;
    while (in_.size() < n && fill(deadline)) {
    }
    std::string out = in_.substr(0, std::min(n, in_.size()));
    in_.erase(0, out.size());
    return out;
  }

  // Waits until at least one octet is buffered or the deadline passes.
  bool wait_readable(std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    while (in_.empty() && fill(deadline)) {
    }
    return !in_.empty();
  }

  std::string& buffered() { return in_; }
  read_end last_end() const { return end_; }

  // One receive, waiting at most until `deadline`. False when nothing more can arrive in time
  // (last_end() says why).
  bool fill(steady::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    if (left.count() <= 0) {
      end_ = read_end::timeout;
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) return true;
    if (ready <= 0) {
      end_ = read_end::timeout;
      return false;
    }
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      in_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) return true;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      end_ = read_end::timeout;
      return false;
    }
    end_ = n == 0 ? read_end::closed : read_end::reset;
    return false;
  }

 private:
  int fd_ = -1;
  std::string in_;
  read_end end_ = read_end::none;
};

// A request head with Host, each extra line given as "Name: value", and the empty line.
inline std::string raw_request(std::string_view method, std::string_view target,
                               std::vector<std::string> lines = {},
                               std::string_view version = "HTTP/1.1") {
  std::string out;
  out.append(method).append(" ").append(target).append(" ").append(version).append("\r\n");
  out.append("Host: test.local\r\n");
  for (const std::string& l : lines) out.append(l).append("\r\n");
  out.append("\r\n");
  return out;
}

// Options for a test server: loopback, an ephemeral port, one worker, no access log, and
// timeouts short enough that a test which hits one ends within a second or two.
inline server::options test_options() {
  server::options o;
  o.listen = {server::listen_address{"127.0.0.1", 0}};
  o.workers = 1;
  o.access_log = false;
  o.header_timeout = 2s;
  o.body_timeout = 2s;
  o.idle_timeout = 5s;
  o.send_timeout = 2s;
  o.linger_timeout = 500ms;
  o.grace_period = 1s;
  o.retry_after = std::chrono::seconds(7);
  return o;
}

class running_server {
 public:
  running_server(server::options o, server::handler& h) : server_(std::move(o), h) {
    server_.start();
    port_ = server_.ports().at(0);
  }
  ~running_server() { stop(); }
  running_server(const running_server&) = delete;
  running_server& operator=(const running_server&) = delete;

  void stop() {
    if (stopped_) return;
    stopped_ = true;
    server_.drain();
    server_.wait();
  }
  unsigned short port() const { return port_; }
  server::server& get() { return server_; }
  raw_client connect() const { return raw_client(port_); }

 private:
  server::server server_;
  unsigned short port_ = 0;
  bool stopped_ = false;
};

class temp_dir {
 public:
  temp_dir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "herald-test-XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~temp_dir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& relative, std::string_view content) const {
    std::filesystem::path p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << content;
    return p;
  }

 private:
  std::filesystem::path path_;
};

inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Lines of a file, waiting up to `timeout` for at least `count` of them to be there.
inline std::vector<std::string> wait_for_lines(const std::filesystem::path& p, std::size_t count,
                                               std::chrono::milliseconds timeout = 2s) {
  const auto deadline = steady::now() + timeout;
  while (true) {
    std::vector<std::string> lines;
    std::istringstream in(read_file(p));
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    if (lines.size() >= count || steady::now() >= deadline) return lines;
    std::this_thread::sleep_for(10ms);
  }
}

struct command_result {
  int status = -1;  // the exit status, or -1 when the command did not exit normally
  std::string out;
};

// Runs `command` with /bin/sh and returns its standard output. The command must bound its own
// time (curl: --max-time).
inline command_result run_command(const std::string& command) {
  command_result r;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return r;
  char chunk[4096];
  std::size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) r.out.append(chunk, n);
  int status = ::pclose(pipe);
  if (status != -1 && WIFEXITED(status)) r.status = WEXITSTATUS(status);
  return r;
}

}  // namespace herald::test
