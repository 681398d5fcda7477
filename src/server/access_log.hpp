#pragma once
// The access log: the combined format (as nginx and Apache write it) plus the duration, the
// octets sent and a reason token for errors; or one JSON object per line. Each worker formats
// its own lines; a line goes to the file with one write(2) on an O_APPEND descriptor, so lines
// from several workers never interleave.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <herald/server/options.hpp>

namespace herald::server {

struct access_entry {
  std::string_view peer;
  std::chrono::system_clock::time_point start;
  std::string_view method;
  std::string_view target;
  int version_minor = 1;
  int status = 0;  // 444: closed without a response
  std::uint64_t bytes_sent = 0;  // content octets
  std::string_view referer;
  std::string_view user_agent;
  std::chrono::microseconds duration{0};
  std::string_view reason;  // token for errors, empty otherwise
};

std::string format_access_entry(const access_entry& e, access_log_format format);

class access_log {
 public:
  // Opens the log (standard output when `path` is empty). Throws std::system_error.
  access_log(const std::string& path, access_log_format format);
  ~access_log();
  access_log(const access_log&) = delete;
  access_log& operator=(const access_log&) = delete;

  void write(const access_entry& e);
  void reopen();  // SIGHUP: after rotation, write to a new file of the same name

 private:
  std::string path_;
  access_log_format format_;
  int fd_ = 1;
};

}  // namespace herald::server
