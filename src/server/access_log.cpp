#include "server/access_log.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <ctime>
#include <system_error>

namespace herald::server {

namespace {

// Quotes a field of the combined format: `"` and `\` escaped, control bytes as \xHH, as
// nginx does, so a crafted User-Agent cannot forge a log line.
std::string log_quoted(std::string_view s) {
  if (s.empty()) return "\"-\"";
  std::string out = "\"";
  for (char c : s) {
    auto b = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (b < 0x20 || b >= 0x7f) {
      out += fmt::format("\\x{:02X}", b);
    } else {
      out += c;
    }
  }
  out += '"';
  return out;
}

int open_log(const std::string& path) {
  if (path.empty()) return STDOUT_FILENO;
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0)
    throw std::system_error(errno, std::generic_category(), "cannot open access log " + path);
  return fd;
}

}  // namespace

std::string format_access_entry(const access_entry& e, access_log_format format) {
  auto seconds = std::chrono::time_point_cast<std::chrono::seconds>(e.start);
  std::time_t t = std::chrono::system_clock::to_time_t(seconds);
  std::tm utc{};
  gmtime_r(&t, &utc);
  if (format == access_log_format::json) {
    nlohmann::ordered_json j;
    j["time"] = fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", utc);
    j["peer"] = e.peer;
    j["method"] = e.method;
    j["target"] = e.target;
    j["version"] = e.version_minor == 0 ? "HTTP/1.0" : "HTTP/1.1";
    j["status"] = e.status;
    j["bytes"] = e.bytes_sent;
    j["referer"] = e.referer;
    j["user_agent"] = e.user_agent;
    j["duration_us"] = e.duration.count();
    if (!e.reason.empty()) j["reason"] = e.reason;
    return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  }
  std::string request =
      e.method.empty() ? std::string()
                       : fmt::format("{} {} HTTP/1.{}", e.method, e.target, e.version_minor);
  return fmt::format("{} - - [{:%d/%b/%Y:%H:%M:%S} +0000] {} {} {} {} {} {:.3f} {}\n",
                     e.peer.empty() ? "-" : e.peer, utc, log_quoted(request), e.status, e.bytes_sent,
                     log_quoted(e.referer), log_quoted(e.user_agent),
                     static_cast<double>(e.duration.count()) / 1000.0,
                     e.reason.empty() ? "-" : e.reason);
}

access_log::access_log(const std::string& path, access_log_format format)
    : path_(path), format_(format), fd_(open_log(path)) {}

access_log::~access_log() {
  if (fd_ != STDOUT_FILENO) ::close(fd_);
}

void access_log::write(const access_entry& e) {
  std::string line = format_access_entry(e, format_);
  std::string_view rest = line;
  while (!rest.empty()) {
    ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a full disk must not stop the server
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
}

void access_log::reopen() {
  if (path_.empty()) return;
  int fd = open_log(path_);
  // dup2 swaps the file under the descriptor atomically, so a worker writing at this moment
  // writes whole lines to the old file or the new one.
  ::dup2(fd, fd_);
  ::close(fd);
}

}  // namespace herald::server
