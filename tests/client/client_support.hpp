#pragma once
// Test support for the client's tests (header-only, included by tests/client/*_test.cpp).
//
// - lab_server: the lab (handlers::lab) served in-process on 127.0.0.1, port 0, with small
//   bounds; url("/get") names it.
// - raw_server: a loopback peer that misbehaves on purpose. A thread accepts connections on
//   127.0.0.1:0 and runs one script per connection, in order; a script reads requests (every
//   read bounded by poll timeouts) and writes scripted bytes. Every request read is recorded,
//   so a test checks what the client sent. Connections beyond the scripts are accepted, counted
//   and closed.
// - child_process: a program (openssl s_server, tinyproxy) started with posix_spawn, its output
//   in a file, killed (SIGTERM, then SIGKILL) and reaped at the end.
// - free_port, wait_for_port, program_exists.

#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <filesystem>
#include <functional>
#include <mutex>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <optional>
#include <poll.h>
#include <spawn.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <utility>
#include <vector>

#include <herald/client/fetch.hpp>
#include <herald/client/http_client.hpp>
#include <herald/core/syntax.hpp>
#include <herald/handlers/lab.hpp>

#include "support/raw_client.hpp"

extern char** environ;

namespace herald::client {
// GoogleTest shows a verdict by its name.
inline void PrintTo(redirect_verdict v, std::ostream* os) { *os << to_string(v); }
}  // namespace herald::client

namespace herald::test {

using namespace std::chrono_literals;

// The bounds of every lab in the client's tests: small, but room for /redirect/25 and
// /processing?seconds=2.5.
inline handlers::lab_options client_lab_options() {
  handlers::lab_options o;
  o.max_delay = 3s;
  o.max_bytes = 64 * 1024;
  o.max_hops = 30;
  o.max_content = 64 * 1024;
  return o;
}

class lab_server {
 public:
  explicit lab_server(handlers::lab_options o = client_lab_options())
      : lab_(std::move(o)), server_(test_options(), lab_) {}
  unsigned short port() const { return server_.port(); }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(port()); }
  std::string url(std::string_view path) const { return origin() + std::string(path); }
  running_server& server() { return server_; }

 private:
  handlers::lab lab_;
  running_server server_;
};

// One accepted connection, as a script sees it.
class peer {
 public:
  peer(int fd, std::function<void(std::string)> record) : fd_(fd), record_(std::move(record)) {}
  ~peer() { close(); }
  peer(const peer&) = delete;
  peer& operator=(const peer&) = delete;

  // One request: its head and the content its Content-Length announces. nullopt when the
  // client closed or nothing whole arrived within `timeout`.
  std::optional<std::string> read_request(std::chrono::milliseconds timeout = 2s) {
    const auto deadline = steady::now() + timeout;
    std::size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(deadline)) return std::nullopt;
    std::size_t length = 0;
    std::string_view head(in_.data(), end + 2);
    std::size_t at = 0;
    while (at < head.size()) {
      std::size_t eol = head.find("\r\n", at);
      std::string_view line = head.substr(at, eol - at);
      at = eol + 2;
      std::size_t colon = line.find(':');
      if (colon != std::string_view::npos &&
          core::syntax::iequals(line.substr(0, colon), "Content-Length"))
        length = std::stoul(std::string(core::syntax::trim_ows(line.substr(colon + 1))));
    }
    while (in_.size() < end + 4 + length)
      if (!fill(deadline)) return std::nullopt;
    std::string request = in_.substr(0, end + 4 + length);
    in_.erase(0, request.size());
    record_(request);
    return request;
  }

  // A request head alone (through its empty line), recorded; what follows stays buffered.
  std::optional<std::string> read_head(std::chrono::milliseconds timeout = 2s) {
    const auto deadline = steady::now() + timeout;
    std::size_t end;
    while ((end = in_.find("\r\n\r\n")) == std::string::npos)
      if (!fill(deadline)) return std::nullopt;
    std::string head = in_.substr(0, end + 4);
    in_.erase(0, head.size());
    record_(head);
    return head;
  }

  // `n` octets (fewer if the time runs out or the client closes).
  std::string read_exactly(std::size_t n, std::chrono::milliseconds timeout = 2s) {
    const auto deadline = steady::now() + timeout;
    while (in_.size() < n && fill(deadline)) {
    }
    std::string out = in_.substr(0, std::min(n, in_.size()));
    in_.erase(0, out.size());
    return out;
  }

  // Whether nothing arrives for `quiet`.
  bool stays_quiet(std::chrono::milliseconds quiet) {
    const std::size_t before = in_.size();
    const auto deadline = steady::now() + quiet;
    while (fill(deadline)) {
    }
    return in_.size() == before && !closed_;
  }

  bool send(std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }

  // True when the client closes the connection within `timeout`.
  bool wait_closed(std::chrono::milliseconds timeout = 2s) {
    const auto deadline = steady::now() + timeout;
    while (fill(deadline)) {
    }
    return closed_;
  }

  void close() {
    if (fd_ >= 0) ::close(std::exchange(fd_, -1));
  }
  void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

 private:
  bool fill(steady::time_point deadline) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - steady::now());
    if (left.count() <= 0) return false;
    pollfd p{fd_, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) return true;
    if (ready <= 0) return false;
    char chunk[16384];
    ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
    if (n > 0) {
      in_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && errno == EINTR) return true;
    closed_ = true;
    return false;
  }

  int fd_;
  std::function<void(std::string)> record_;
  std::string in_;
  bool closed_ = false;
};

class raw_server {
 public:
  using script = std::function<void(peer&)>;

  explicit raw_server(std::vector<script> scripts) : scripts_(std::move(scripts)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener_ < 0) throw std::runtime_error("socket() failed");
    int one = 1;
    ::setsockopt(listener_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        ::listen(listener_, 16) != 0)
      throw std::runtime_error("bind() or listen() failed");
    socklen_t size = sizeof a;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &size);
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { run(); });
  }
  ~raw_server() {
    stop_ = true;
    thread_.join();
    ::close(listener_);
  }
  raw_server(const raw_server&) = delete;
  raw_server& operator=(const raw_server&) = delete;

  unsigned short port() const { return port_; }
  std::string url(std::string_view path) const {
    return "http://127.0.0.1:" + std::to_string(port_) + std::string(path);
  }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
  }
  std::size_t connections() const { return accepted_; }
  // True once every script has run to its end (within `timeout`).
  bool finished(std::chrono::milliseconds timeout = 3s) const {
    const auto deadline = steady::now() + timeout;
    while (done_ < scripts_.size() && steady::now() < deadline) std::this_thread::sleep_for(5ms);
    return done_ >= scripts_.size();
  }

 private:
  void run() {
    while (!stop_) {
      pollfd p{listener_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int fd = ::accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      const std::size_t index = accepted_++;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      peer c(fd, [this](std::string r) {
        std::lock_guard lock(mutex_);
        requests_.push_back(std::move(r));
      });
      if (index < scripts_.size()) {
        scripts_[index](c);
        ++done_;
      }
    }
  }

  std::vector<script> scripts_;
  int listener_ = -1;
  unsigned short port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> accepted_{0};
  std::atomic<std::size_t> done_{0};
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
};

// A loopback port nobody listens on at the moment of the call.
inline unsigned short free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t size = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &size);
  ::close(fd);
  return ntohs(a.sin_port);
}

// Whether something accepts connections on 127.0.0.1:port within `timeout`.
inline bool wait_for_port(unsigned short port, std::chrono::milliseconds timeout = 3s) {
  const auto deadline = steady::now() + timeout;
  while (steady::now() < deadline) {
    try {
      raw_client c(port, 500ms);
      return true;
    } catch (const std::exception&) {
      std::this_thread::sleep_for(20ms);
    }
  }
  return false;
}

inline bool program_exists(const std::string& path) { return ::access(path.c_str(), X_OK) == 0; }

class child_process {
 public:
  // Runs argv[0] (a path) with its output (both streams) appended to `log`.
  child_process(std::vector<std::string> argv, const std::filesystem::path& log) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    std::vector<char*> args;
    for (std::string& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), environ) != 0) pid_ = -1;
    posix_spawn_file_actions_destroy(&actions);
  }
  ~child_process() { stop(); }
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  bool started() const { return pid_ > 0; }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = steady::now() + 2s;
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (steady::now() >= deadline) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// A content_sink that keeps what it is given, head by head.
class recording_sink final : public client::content_sink {
 public:
  bool begin(const client::response_record& head) override {
    statuses.push_back(head.status);
    content.clear();
    return true;
  }
  bool write(std::string_view octets) override {
    content.append(octets);
    return true;
  }
  std::vector<int> statuses;  // each begin()
  std::string content;        // since the last begin()
};

// The value of field `name` in a raw request, or "" (first line only).
inline std::string field_of(std::string_view request, std::string_view name) {
  std::size_t at = request.find("\r\n");
  while (at != std::string_view::npos && at + 2 < request.size()) {
    std::size_t eol = request.find("\r\n", at + 2);
    if (eol == std::string_view::npos || eol == at + 2) break;
    std::string_view line = request.substr(at + 2, eol - at - 2);
    std::size_t colon = line.find(':');
    if (colon != std::string_view::npos && core::syntax::iequals(line.substr(0, colon), name))
      return std::string(core::syntax::trim_ows(line.substr(colon + 1)));
    at = eol;
  }
  return {};
}

}  // namespace herald::test
