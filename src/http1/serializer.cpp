#include <algorithm>
#include <cstring>
#include <ctime>

#include <herald/core/status.hpp>
#include <herald/core/syntax.hpp>
#include <herald/http1/serializer.hpp>

namespace herald::http1 {

namespace {

bool named(std::string_view name, std::string_view expected) {
  return name.size() == expected.size() && core::syntax::iequals(name, expected);
}

// The fixed parts of a head, for the room head_writer makes.
constexpr int longest_decimal = 20;  // 2^64 - 1
constexpr std::string_view field_frame = ": \r\n";
constexpr std::string_view content_length_frame = "Content-Length: \r\n";
constexpr std::string_view chunked_line = "Transfer-Encoding: chunked\r\n";
// Whichever framing line a head gets.
constexpr std::size_t longest_framing_line =
    std::max(content_length_frame.size() + longest_decimal, chunked_line.size());

// Writes a head into room made for it at once. A head is a few dozen short pieces, and an
// append for each, with its capacity check, cost more than the copying itself.
class head_writer {
 public:
  // `most`: an upper bound of the octets this writer will write.
  head_writer(std::string& out, std::size_t most) : out_(out) {
    const std::size_t start = out.size();
    out.resize(start + most);
    at_ = out.data() + start;
  }
  head_writer(const head_writer&) = delete;
  head_writer& operator=(const head_writer&) = delete;
  // Gives back the room not used.
  ~head_writer() { out_.resize(static_cast<std::size_t>(at_ - out_.data())); }

  void put(std::string_view s) {
    std::memcpy(at_, s.data(), s.size());
    at_ += s.size();
  }
  void put(char c) { *at_++ = c; }
  void field(std::string_view name, std::string_view value) {
    put(name);
    put(": ");
    put(value);
    put("\r\n");
  }
  void decimal(std::uint64_t n) {
    char digits[longest_decimal];
    int i = longest_decimal;
    do {
      digits[--i] = static_cast<char>('0' + n % 10);
      n /= 10;
    } while (n != 0);
    put(std::string_view(digits + i, static_cast<std::size_t>(longest_decimal - i)));
  }

 private:
  std::string& out_;
  char* at_;
};

// The octets append_caller_fields writes at most.
std::size_t caller_fields_size(const core::fields& fields) {
  std::size_t size = 0;
  for (const core::field& f : fields) size += f.name.size() + field_frame.size() + f.value.size();
  return size;
}

// The caller's fields, less the framing fields the serializer writes itself. `length` is the
// content length a Content-Length must state, unless `length_is_free` (a 304's describes the
// selected representation); `skip` names a field the caller writes itself.
std::optional<serialize_error> append_caller_fields(head_writer& out, const core::fields& fields,
                                                    const std::optional<std::uint64_t>& length,
                                                    bool length_is_free, std::string_view skip,
                                                    bool& wrote_content_length,
                                                    bool& has_connection) {
  for (const core::field& f : fields) {
    if (!skip.empty() && named(f.name, skip)) continue;
    if (named(f.name, "Transfer-Encoding")) return serialize_error::framing_field_set;
    if (named(f.name, "Connection")) has_connection = true;
    if (named(f.name, "Content-Length")) {
      std::uint64_t value = 0;
      if (f.value.empty()) return serialize_error::content_length_mismatch;
      for (char c : f.value) {
        if (!core::syntax::is_digit(c) || value > (UINT64_MAX - 9) / 10)
          return serialize_error::content_length_mismatch;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
      }
      if (!length_is_free && (!length || value != *length))
        return serialize_error::content_length_mismatch;
      wrote_content_length = true;
    }
    out.field(f.name, f.value);
  }
  return std::nullopt;
}

bool is_request_target_text(std::string_view target) {
  if (target.empty()) return false;
  for (char c : target)
    if (!core::syntax::is_vchar(c)) return false;
  return true;
}

}  // namespace

std::string_view describe(serialize_error e) {
  switch (e) {
    case serialize_error::invalid_status:
      return "a status code is three digits, 100 to 999";
    case serialize_error::framing_field_set:
      return "Transfer-Encoding is set by the serializer, not by the caller";
    case serialize_error::content_length_mismatch:
      return "Content-Length disagrees with the length of the content";
    case serialize_error::content_length_forbidden:
      return "a 1xx or 204 response must not have Content-Length (RFC 9110 §8.6)";
    case serialize_error::content_forbidden:
      return "a 1xx, 204, 205 or 304 response has no content (RFC 9110 §6.4.1, §15.3.6)";
    case serialize_error::invalid_text:
      return "a control character in a start line, Host, Date or Server value would forge lines";
  }
  return "";
}

serialized_head serialize_response_head(int status, const core::fields& fields,
                                        content_size content, const response_options& options,
                                        std::string& out) {
  serialized_head result;
  if (status < 100 || status > 999) {
    result.failure = serialize_error::invalid_status;
    return result;
  }
  const bool interim = status < 200;
  const bool no_content = core::has_no_content_by_definition(status);
  const bool has_content = content.what == content_size::kind::unknown ||
                           (content.what == content_size::kind::known && content.length > 0);
  if (core::content_forbidden(status) && has_content) {
    result.failure = serialize_error::content_forbidden;
    return result;
  }
  if (!core::syntax::is_field_value(options.date) ||
      !core::syntax::is_field_value(options.server)) {
    result.failure = serialize_error::invalid_text;
    return result;
  }
  if ((interim || status == 204) && fields.contains("Content-Length")) {
    result.failure = serialize_error::content_length_forbidden;
    return result;
  }

  const core::status_info* info = core::find_status(status);
  const std::string_view reason = info != nullptr ? std::string_view(info->reason) : "";
  constexpr std::string_view status_line_frame = "HTTP/1.1 000 \r\n";
  constexpr std::string_view keep_alive_line = "Connection: keep-alive\r\n";
  constexpr std::string_view close_line = "Connection: close\r\n";
  const std::size_t rollback = out.size();
  std::optional<serialize_error> failure;
  {
    head_writer w(out, status_line_frame.size() + reason.size() + 2 * field_frame.size() + 4 +
                           options.date.size() + 6 + options.server.size() +
                           caller_fields_size(fields) + longest_framing_line +
                           std::max(keep_alive_line.size(), close_line.size()) + 2);
    w.put("HTTP/1.1 ");
    w.decimal(static_cast<std::uint64_t>(status));
    w.put(' ');
    // An unknown code goes out without a phrase: a made-up one would mislead (RFC 9112 §4).
    w.put(reason);
    w.put("\r\n");

    if (!interim) {
      if (!options.date.empty()) w.field("Date", options.date);
      if (!options.server.empty()) w.field("Server", options.server);
    }

    std::optional<std::uint64_t> known_length;
    if (content.what == content_size::kind::known) known_length = content.length;
    if (content.what == content_size::kind::none && !no_content) known_length = 0;
    bool wrote_content_length = false;
    bool has_connection = false;
    failure = append_caller_fields(w, fields, known_length, status == 304, {},
                                   wrote_content_length, has_connection);
    if (!failure) {
      // Looked up only when the loop above saw a Connection line: most responses have none.
      const bool close_asked = has_connection && fields.contains_token("Connection", "close");
      result.keep_alive = options.keep_alive && !close_asked;
      if (interim) {
        result.framing = body_framing::none;
      } else if (no_content) {
        // 204 and 304 carry no framing fields of their own (a 304's Content-Length, if the
        // caller gives one, describes the selected representation and was written above).
        result.framing = body_framing::none;
      } else if (known_length) {
        if (!wrote_content_length) {
          w.put("Content-Length: ");
          w.decimal(*known_length);
          w.put("\r\n");
        }
        result.framing = *known_length == 0 ? body_framing::none : body_framing::content_length;
      } else if (options.peer_version_minor >= 1) {
        w.put(chunked_line);
        result.framing = body_framing::chunked;
      } else {
        // An HTTP/1.0 peer knows no chunked coding: the close delimits the content
        // (RFC 9112 §6.3).
        result.framing = body_framing::until_close;
        result.keep_alive = false;
      }
      if (options.head_request) result.framing = body_framing::none;

      if (!interim) {
        if (!result.keep_alive && !close_asked)
          w.put(close_line);
        else if (options.peer_version_minor == 0)
          w.put(keep_alive_line);  // RFC 9112 §9.3: 1.0 persistence is opt-in
      }
      w.put("\r\n");
    }
  }
  if (failure) {
    out.resize(rollback);
    result.failure = failure;
  }
  return result;
}

std::optional<serialize_error> serialize_request_head(std::string_view method,
                                                      std::string_view target,
                                                      std::string_view host,
                                                      const core::fields& fields,
                                                      content_size content, std::string& out) {
  if (!core::syntax::is_token(method) || !is_request_target_text(target) ||
      !core::syntax::is_field_value(host))
    return serialize_error::invalid_text;
  std::optional<std::uint64_t> known_length;
  if (content.what == content_size::kind::known) known_length = content.length;
  if (content.what == content_size::kind::none) known_length = 0;
  // RFC 9110 §8.6: a user agent sends Content-Length: 0 for an empty POST, PUT or PATCH, whose
  // methods define a meaning for content, and no Content-Length for GET and its kind.
  const bool method_expects_content = method == "POST" || method == "PUT" || method == "PATCH";
  constexpr std::string_view version_line_end = " HTTP/1.1\r\n";
  const std::size_t rollback = out.size();
  std::optional<serialize_error> failure;
  {
    head_writer w(out, method.size() + 1 + target.size() + version_line_end.size() +
                           field_frame.size() + 4 + host.size() + caller_fields_size(fields) +
                           longest_framing_line + 2);
    w.put(method);
    w.put(' ');
    w.put(target);
    w.put(version_line_end);
    w.field("Host", host);
    bool wrote_content_length = false;
    bool has_connection = false;
    failure = append_caller_fields(w, fields, known_length, false, "Host", wrote_content_length,
                                   has_connection);
    if (!failure) {
      if (!wrote_content_length && known_length && (*known_length > 0 || method_expects_content)) {
        w.put("Content-Length: ");
        w.decimal(*known_length);
        w.put("\r\n");
      } else if (content.what == content_size::kind::unknown) {
        w.put(chunked_line);
      }
      w.put("\r\n");
    }
  }
  if (failure) out.resize(rollback);
  return failure;
}

std::string_view chunk_header(std::uint64_t size, std::array<char, 20>& buffer) {
  constexpr char hex[] = "0123456789abcdef";
  std::size_t i = buffer.size();
  buffer[--i] = '\n';
  buffer[--i] = '\r';
  do {
    buffer[--i] = hex[size & 0xf];
    size >>= 4;
  } while (size != 0);
  return {buffer.data() + i, buffer.size() - i};
}

std::string_view date_cache::at(std::chrono::sys_seconds t) {
  if (!valid_ || t != cached_) {
    core::format_http_date(t, std::span<char, core::http_date_length>(text_));
    cached_ = t;
    valid_ = true;
  }
  return {text_.data(), text_.size()};
}

std::chrono::sys_seconds coarse_seconds_now() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME_COARSE, &t);
  return std::chrono::sys_seconds(std::chrono::seconds(t.tv_sec));
}

std::string_view date_cache::now() {
  return at(coarse_seconds_now());
}

}  // namespace herald::http1
