#include <herald/http1/parser.hpp>

#include <algorithm>
#include <cstring>

#include <herald/core/fields.hpp>
#include <herald/core/request_target.hpp>
#include <herald/core/syntax.hpp>

#include "http1/scan.hpp"

namespace herald::http1 {

namespace syntax = core::syntax;

namespace {

// ----- field lines shared by requests, responses and trailers -----------------------------

// Parses the field lines of `section` (everything between the start line and the empty
// line, each line ending in CRLF, or LF when `bare_lf_ok`) into `out`. One pass: the value
// scan that validates the characters also finds the end of the line.
std::optional<error> parse_field_lines(std::string_view section, bool bare_lf_ok,
                                       std::size_t max_fields, std::vector<field_line>& out) {
  std::size_t pos = 0;
  while (pos < section.size()) {
    std::string_view rest = section.substr(pos);
    // RFC 9112 §5.2 (obs-fold) and §2.2 (whitespace after the start line): a line that starts
    // with whitespace is rejected, never merged into the previous value.
    if (syntax::is_ows(rest.front())) return error::obs_fold;

    std::size_t colon = 0;
    while (colon < rest.size() && syntax::is_tchar(rest[colon])) ++colon;
    if (colon == rest.size() || rest[colon] != ':') {
      std::string_view line = rest.substr(0, rest.find('\n'));
      if (colon < line.size() && syntax::is_ows(line[colon])) {
        // RFC 9112 §5.1: "No whitespace is allowed between the field name and colon".
        std::size_t next = colon;
        while (next < line.size() && syntax::is_ows(line[next])) ++next;
        if (next < line.size() && line[next] == ':') return error::whitespace_before_colon;
      }
      return line.find(':') == std::string_view::npos ? error::missing_colon
                                                     : error::invalid_field_name;
    }
    if (colon == 0) return error::invalid_field_name;

    std::size_t value_start = colon + 1;
    while (value_start < rest.size() && syntax::is_ows(rest[value_start])) ++value_start;
    std::size_t value_end = value_start + scan::field_value_end(rest.substr(value_start));
    std::size_t next_line;
    if (value_end + 1 < rest.size() && rest[value_end] == '\r' && rest[value_end + 1] == '\n') {
      next_line = value_end + 2;
    } else if (value_end < rest.size() && rest[value_end] == '\n') {
      if (!bare_lf_ok) return error::bare_lf;
      next_line = value_end + 1;
    } else {
      return value_end < rest.size() && rest[value_end] == '\r' ? error::bare_cr
                                                                 : error::invalid_field_value;
    }
    while (value_end > value_start && syntax::is_ows(rest[value_end - 1])) --value_end;
    if (out.size() >= max_fields) return error::too_many_fields;
    out.push_back({rest.substr(0, colon), rest.substr(value_start, value_end - value_start)});
    pos += next_line;
  }
  return std::nullopt;
}

// Calls f(element) for each element of a list field (RFC 9110 §5.6.1). Returns false, having
// called nothing, when the value is not a well-formed list.
template <typename F>
bool for_each_element(std::string_view list, F&& f) {
  auto elements = core::list_elements::parse(list);
  if (!elements) return false;
  for (std::string_view element : *elements) f(element);
  return true;
}

// Content-Length = 1*DIGIT; as a list of identical values it is that value (RFC 9110 §8.6).
// Returns the error, or sets `value`.
std::optional<error> merge_content_length(std::string_view field, bool& seen,
                                          std::uint64_t& value) {
  bool any = false;
  std::optional<error> failure;
  bool well_formed = for_each_element(field, [&](std::string_view element) {
    any = true;
    if (failure) return;
    std::uint64_t n = 0;
    for (char c : element) {
      // RFC 9110 §8.6: digits only; no sign, no "0x", no inner whitespace.
      if (!syntax::is_digit(c) || n > (UINT64_MAX - 9) / 10) {
        failure = error::invalid_content_length;
        return;
      }
      n = n * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (seen && n != value) {
      failure = error::conflicting_content_length;
      return;
    }
    seen = true;
    value = n;
  });
  if ((!any || !well_formed) && !failure) failure = error::invalid_content_length;
  return failure;
}

struct framing_fields {
  bool has_content_length = false;
  std::uint64_t content_length = 0;
  bool has_transfer_encoding = false;
  int transfer_codings = 0;
  int chunked_count = 0;
  bool chunked_last = false;
  bool unknown_coding = false;
  bool invalid_coding = false;
};

// Transfer-Encoding = #transfer-coding; transfer-coding = token *( OWS ";" OWS parameter ).
void note_transfer_encoding(std::string_view field, framing_fields& f) {
  f.has_transfer_encoding = true;
  bool any = false;
  bool well_formed = for_each_element(field, [&](std::string_view element) {
    any = true;
    std::string_view name = element.substr(0, element.find(';'));
    name = syntax::trim_ows(name);
    ++f.transfer_codings;
    if (!syntax::is_token(name)) {
      f.invalid_coding = true;
      f.chunked_last = false;
      return;
    }
    // RFC 9112 §7: transfer coding names are case-insensitive.
    bool chunked = syntax::iequals(name, "chunked");
    if (chunked) {
      ++f.chunked_count;
    } else if (!syntax::iequals(name, "gzip") && !syntax::iequals(name, "x-gzip") &&
               !syntax::iequals(name, "deflate") && !syntax::iequals(name, "compress") &&
               !syntax::iequals(name, "x-compress")) {
      f.unknown_coding = true;
    } else {
      // Registered codings herald does not decode as transfer codings: RFC 9112 §6.1 asks
      // for 501 just as for unknown ones.
      f.unknown_coding = true;
    }
    f.chunked_last = chunked;
  });
  if (!any || !well_formed) f.invalid_coding = true;
}

bool field_name_is(std::string_view name, std::string_view expected) {
  return name.size() == expected.size() && syntax::iequals(name, expected);
}

template <typename Fields>
std::optional<std::string_view> find_field(const Fields& fields, std::string_view name) {
  for (const field_line& f : fields)
    if (field_name_is(f.name, name)) return f.value;
  return std::nullopt;
}

template <typename Fields>
std::size_t count_field(const Fields& fields, std::string_view name) {
  return static_cast<std::size_t>(std::count_if(
      fields.begin(), fields.end(), [&](const field_line& f) { return field_name_is(f.name, name); }));
}

// Fills the target's parts of `head` (RFC 9112 §3.2).
std::optional<error> parse_target(request_head& head) {
  core::target_parse_result parsed = core::parse_request_target(head.method, head.target);
  switch (parsed.error) {
    case core::target_error::none:
      break;
    case core::target_error::asterisk_requires_options:
    case core::target_error::connect_requires_authority_form:
      return error::target_form_mismatch;
    default:
      return error::invalid_target;
  }
  const core::request_target& t = parsed.target;
  head.form = t.form;
  head.scheme = t.components.scheme.value_or(std::string_view{});
  head.path = t.path;
  head.has_query = t.query.has_value();
  head.query = t.query.value_or(std::string_view{});
  if (t.components.authority) {
    // host [ ":" port ] as one view of the target (userinfo is rejected for http(s)).
    const core::uri_authority& a = *t.components.authority;
    const char* end = a.port_text ? a.port_text->data() + a.port_text->size()
                                  : a.host.data() + a.host.size();
    head.authority = std::string_view(a.host.data(), static_cast<std::size_t>(end - a.host.data()));
  }
  return std::nullopt;
}

// Back to a default head, keeping the field vector's capacity for the next message.
template <typename Head>
void reset_keeping_capacity(Head& head) {
  auto kept = std::move(head.fields);
  kept.clear();
  head = Head{};
  head.fields = std::move(kept);
}

// "HTTP/" DIGIT "." DIGIT, case-sensitive (RFC 9112 §2.3). Returns the major and minor digits.
std::optional<std::pair<int, int>> parse_version(std::string_view v) {
  if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || !syntax::is_digit(v[5]) || v[6] != '.' ||
      !syntax::is_digit(v[7]))
    return std::nullopt;
  return std::pair{v[5] - '0', v[7] - '0'};
}

}  // namespace

// ----- messages ------------------------------------------------------------------------------

std::optional<std::string_view> request_head::find(std::string_view name) const {
  return find_field(fields, name);
}
std::size_t request_head::count(std::string_view name) const { return count_field(fields, name); }
void request_head::clear() { reset_keeping_capacity(*this); }

std::optional<std::string_view> response_head::find(std::string_view name) const {
  return find_field(fields, name);
}
std::size_t response_head::count(std::string_view name) const { return count_field(fields, name); }
void response_head::clear() { reset_keeping_capacity(*this); }

// ----- requests ------------------------------------------------------------------------------

void request_parser::reset() {
  head_.clear();
  scanned_ = 0;
  line_start_ = 0;
  request_line_start_ = 0;
  section_start_ = 0;
  in_request_line_ = true;
}

parse_result request_parser::parse(std::string_view buffer) {
  parse_result r = scan(buffer);
  if (r.state != parse_state::complete) return r;
  return parse_complete_head(buffer.substr(0, r.consumed));
}

// Finds the end of the head, resuming where the last call stopped, and rejects early what
// can be rejected before the head is whole: an over-long or malformed method, an over-long
// request line, an over-large header section, a bare LF.
parse_result request_parser::scan(std::string_view buffer) {
  std::size_t pos = scanned_;
  while (true) {
    if (in_request_line_) {
      // RFC 9112 §2.2: ignore empty lines before the request line.
      while (pos == request_line_start_ && pos + 1 < buffer.size() && buffer[pos] == '\r' &&
             buffer[pos + 1] == '\n') {
        pos += 2;
        request_line_start_ = line_start_ = scanned_ = pos;
        if (pos > limits_.max_request_line)
          return parse_result::rejected(error::request_line_too_long);
      }
      std::string_view line = buffer.substr(request_line_start_);
      if (line == "\r") return parse_result::need_more();  // perhaps an empty line
      if (!line.empty() && line.front() == '\n') return parse_result::rejected(error::bare_lf);

      // The method can be judged as soon as its bytes are here (RFC 9112 §3: a method longer
      // than any implemented one is answered with 501 without reading on).
      std::size_t method_end = 0;
      while (method_end < line.size() && syntax::is_tchar(line[method_end])) ++method_end;
      if (method_end > core::longest_method_name)
        return parse_result::rejected(error::method_too_long);
      if (method_end < line.size() && line[method_end] != ' ')
        return parse_result::rejected(line[method_end] == '\r' || line[method_end] == '\n'
                                          ? error::invalid_request_line
                                          : error::invalid_method);
    }

    // Limits are judged on what a line will at least hold, so that the verdict is the same
    // wherever the input was cut: a line's content, plus its CRLF for field lines.
    const char* found = static_cast<const char*>(
        pos < buffer.size() ? std::memchr(buffer.data() + pos, '\n', buffer.size() - pos)
                            : nullptr);
    if (found == nullptr) {
      scanned_ = buffer.size();
      std::string_view partial = buffer.substr(line_start_);
      std::size_t content = partial.size() - (partial.ends_with('\r') ? 1 : 0);
      if (in_request_line_ && content > limits_.max_request_line)
        return parse_result::rejected(error::request_line_too_long);
      if (!in_request_line_ && content > 0 &&
          line_start_ - section_start_ + content + 2 > limits_.max_header_section)
        return parse_result::rejected(error::header_section_too_large);
      return parse_result::need_more();
    }
    std::size_t lf = static_cast<std::size_t>(found - buffer.data());
    const bool crlf = lf > line_start_ && buffer[lf - 1] == '\r';
    std::size_t content = lf - line_start_ - (crlf ? 1 : 0);
    if (in_request_line_) {
      if (content > limits_.max_request_line)
        return parse_result::rejected(error::request_line_too_long);
      if (!crlf) return parse_result::rejected(error::bare_lf);
      in_request_line_ = false;
      section_start_ = lf + 1;
    } else {
      if (content > 0 && line_start_ - section_start_ + content + 2 > limits_.max_header_section)
        return parse_result::rejected(error::header_section_too_large);
      if (!crlf) return parse_result::rejected(error::bare_lf);
      if (content == 0) {
        // The empty line: the head is whole.
        scanned_ = lf + 1;
        return parse_result::complete(lf + 1);
      }
    }
    line_start_ = pos = scanned_ = lf + 1;
  }
}

parse_result request_parser::parse_complete_head(std::string_view buffer) {
  std::string_view head = buffer.substr(request_line_start_);
  std::size_t line_end = head.find('\n');
  std::string_view request_line = head.substr(0, line_end - 1);
  std::string_view section = head.substr(line_end + 1, head.size() - line_end - 3);

  // request-line = method SP request-target SP HTTP-version (RFC 9112 §3), exactly one SP.
  std::size_t sp1 = request_line.find(' ');
  if (sp1 == std::string_view::npos) return parse_result::rejected(error::invalid_request_line);
  std::size_t sp2 = request_line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || request_line.find(' ', sp2 + 1) != std::string_view::npos)
    return parse_result::rejected(error::invalid_request_line);
  if (request_line.find('\r') != std::string_view::npos)
    return parse_result::rejected(error::bare_cr);
  head_.method = request_line.substr(0, sp1);
  head_.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = request_line.substr(sp2 + 1);
  if (head_.method.empty() || head_.target.empty())
    return parse_result::rejected(error::invalid_request_line);

  auto v = parse_version(version);
  if (!v) return parse_result::rejected(error::invalid_version);
  // RFC 9110 §6.2: a higher minor version is handled as the highest we implement; another
  // major version is not spoken here (505).
  if (v->first != 1) return parse_result::rejected(error::unsupported_version);
  head_.version_minor = v->second == 0 ? 0 : 1;
  head_.known_method = core::parse_method(head_.method);

  if (auto e = parse_target(head_)) return parse_result::rejected(*e);

  if (auto e = parse_field_lines(section, false, limits_.max_field_count, head_.fields))
    return parse_result::rejected(*e);

  framing_fields framing;
  std::size_t hosts = 0;
  std::string_view host;
  bool close = false, keep_alive = false;
  for (const field_line& f : head_.fields) {
    switch (f.name.size()) {
      case 4:
        if (syntax::iequals(f.name, "Host")) {
          ++hosts;
          host = f.value;
        }
        break;
      case 6:
        if (syntax::iequals(f.name, "Expect")) head_.expect = f.value;
        break;
      case 10:
        if (syntax::iequals(f.name, "Connection")) {
          for_each_element(f.value, [&](std::string_view option) {
            if (syntax::iequals(option, "close")) close = true;
            else if (syntax::iequals(option, "keep-alive")) keep_alive = true;
            // RFC 9110 §7.8: a server ignores Upgrade in an HTTP/1.0 request.
            else if (syntax::iequals(option, "upgrade")) head_.connection_upgrade = head_.version_minor == 1;
          });
        }
        break;
      case 14:
        if (syntax::iequals(f.name, "Content-Length")) {
          if (auto e = merge_content_length(f.value, framing.has_content_length,
                                            framing.content_length))
            return parse_result::rejected(*e);
        }
        break;
      case 17:
        if (syntax::iequals(f.name, "Transfer-Encoding")) note_transfer_encoding(f.value, framing);
        break;
      default:
        break;
    }
  }

  // RFC 9112 §3.2: exactly one Host in HTTP/1.1, at most one in HTTP/1.0, and valid.
  if (hosts > 1) return parse_result::rejected(error::duplicate_host);
  if (hosts == 0 && head_.version_minor == 1) return parse_result::rejected(error::missing_host);
  if (hosts == 1 && !core::parse_host(host)) return parse_result::rejected(error::invalid_host);
  // RFC 9112 §3.2.2: the absolute-form's authority overrides Host.
  if (head_.authority.empty()) head_.authority = host;

  // RFC 9112 §6.3, in its order.
  if (framing.has_transfer_encoding) {
    // §6.1: Transfer-Encoding in HTTP/1.0 means the framing is faulty.
    if (head_.version_minor == 0) return parse_result::rejected(error::transfer_encoding_in_http10);
    // §6.3 rule 3: both present is a smuggling attempt; herald rejects it and closes.
    if (framing.has_content_length)
      return parse_result::rejected(error::transfer_encoding_and_content_length);
    if (framing.invalid_coding) return parse_result::rejected(error::invalid_transfer_encoding);
    if (framing.chunked_count > 1) return parse_result::rejected(error::chunked_applied_twice);
    // §6.3 rule 4: a request whose final coding is not chunked cannot be delimited.
    if (!framing.chunked_last) return parse_result::rejected(error::chunked_not_final);
    if (framing.unknown_coding) return parse_result::rejected(error::unknown_transfer_coding);
    head_.framing = body_framing::chunked;
  } else if (framing.has_content_length) {
    if (framing.content_length > limits_.max_content_length)
      return parse_result::rejected(error::content_too_large);
    head_.content_length = framing.content_length;
    head_.framing = framing.content_length == 0 ? body_framing::none : body_framing::content_length;
  } else {
    head_.framing = body_framing::none;  // §6.3 rule 7
  }

  // RFC 9112 §9.3: persistence.
  head_.keep_alive = head_.version_minor == 1 ? !close : (keep_alive && !close);
  return parse_result::complete(buffer.size());
}

// ----- responses -----------------------------------------------------------------------------

void response_parser::reset() {
  head_.clear();
  scanned_ = 0;
}

parse_result response_parser::parse(std::string_view buffer, std::string_view request_method) {
  // The end of a response head: an empty line, ended by CRLF or (leniently) LF.
  std::size_t pos = scanned_;
  while (true) {
    const char* found = static_cast<const char*>(
        pos < buffer.size() ? std::memchr(buffer.data() + pos, '\n', buffer.size() - pos)
                            : nullptr);
    if (found == nullptr) {
      scanned_ = buffer.size();
      if (buffer.size() > limits_.max_request_line + limits_.max_header_section)
        return parse_result::rejected(error::header_section_too_large);
      return parse_result::need_more();
    }
    std::size_t lf = static_cast<std::size_t>(found - buffer.data());
    bool empty_line = (lf > 0 && buffer[lf - 1] == '\n') ||
                      (lf > 1 && buffer[lf - 1] == '\r' && buffer[lf - 2] == '\n');
    pos = lf + 1;
    scanned_ = pos;
    // The same bound as above, so a head that arrives whole is judged as one that trickles in.
    if (pos > limits_.max_request_line + limits_.max_header_section)
      return parse_result::rejected(error::header_section_too_large);
    if (empty_line && lf > 1) return parse_complete_head(buffer.substr(0, pos), request_method);
  }
}

parse_result response_parser::parse_complete_head(std::string_view head,
                                                  std::string_view request_method) {
  std::size_t line_end = head.find('\n');
  std::string_view status_line = head.substr(0, line_end);
  if (!status_line.empty() && status_line.back() == '\r') status_line.remove_suffix(1);
  // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4); a missing
  // final SP is tolerated, as clients in the field do.
  auto v = status_line.size() >= 12 ? parse_version(status_line.substr(0, 8)) : std::nullopt;
  if (!v || v->first != 1 || status_line[8] != ' ' || !syntax::is_digit(status_line[9]) ||
      !syntax::is_digit(status_line[10]) || !syntax::is_digit(status_line[11]) ||
      (status_line.size() > 12 && status_line[12] != ' '))
    return parse_result::rejected(error::invalid_status_line);
  head_.version_minor = v->second == 0 ? 0 : 1;
  head_.status = (status_line[9] - '0') * 100 + (status_line[10] - '0') * 10 + (status_line[11] - '0');
  head_.reason = status_line.size() > 13 ? status_line.substr(13) : std::string_view{};
  for (char c : head_.reason)
    if (c != '\t' && !syntax::is_field_vchar(c) && c != ' ')
      return parse_result::rejected(error::invalid_status_line);

  std::string_view lines = head.substr(line_end + 1);
  // Remove the final empty line (CRLF or LF).
  lines.remove_suffix(lines.size() >= 2 && lines.substr(lines.size() - 2) == "\r\n" ? 2 : 1);
  if (auto e = parse_field_lines(lines, true, limits_.max_field_count, head_.fields))
    return parse_result::rejected(*e);

  framing_fields framing;
  bool close = false, keep_alive = false;
  for (const field_line& f : head_.fields) {
    if (field_name_is(f.name, "Content-Length")) {
      if (auto e = merge_content_length(f.value, framing.has_content_length, framing.content_length)) {
        // RFC 9112 §6.3 rule 5: an invalid Content-Length in a response is unrecoverable,
        // unless Transfer-Encoding overrides it.
        if (find_field(head_.fields, "Transfer-Encoding")) continue;
        return parse_result::rejected(*e);
      }
    } else if (field_name_is(f.name, "Transfer-Encoding")) {
      note_transfer_encoding(f.value, framing);
    } else if (field_name_is(f.name, "Connection")) {
      for_each_element(f.value, [&](std::string_view option) {
        if (syntax::iequals(option, "close")) close = true;
        else if (syntax::iequals(option, "keep-alive")) keep_alive = true;
      });
    }
  }
  head_.keep_alive = head_.version_minor == 1 ? !close : (keep_alive && !close);

  // RFC 9112 §6.3, in its order.
  const int s = head_.status;
  if (request_method == "HEAD" || (s >= 100 && s < 200 && s != 101) || s == 204 || s == 304) {
    head_.framing = body_framing::none;
  } else if (s == 101 || (request_method == "CONNECT" && s >= 200 && s < 300)) {
    head_.framing = body_framing::tunnel;
  } else if (framing.has_transfer_encoding) {
    // Rule 3: Transfer-Encoding overrides Content-Length, and the connection cannot be reused.
    if (framing.has_content_length) head_.keep_alive = false;
    if (framing.chunked_last && framing.chunked_count == 1 && !framing.invalid_coding) {
      head_.framing = body_framing::chunked;
    } else {
      // Rule 4: a response whose final coding is not chunked runs until the close.
      head_.framing = body_framing::until_close;
      head_.keep_alive = false;
    }
  } else if (framing.has_content_length) {
    head_.content_length = framing.content_length;
    head_.framing =
        framing.content_length == 0 ? body_framing::none : body_framing::content_length;
  } else {
    head_.framing = body_framing::until_close;  // rule 8
    head_.keep_alive = false;
  }
  return parse_result::complete(head.size());
}

// ----- content -------------------------------------------------------------------------------

void body_decoder::start(body_framing framing, std::uint64_t content_length) {
  received_ = 0;
  remaining_ = 0;
  trailers_.clear();
  switch (framing) {
    case body_framing::none:
      state_ = state::done;
      break;
    case body_framing::content_length:
      remaining_ = content_length;
      state_ = content_length == 0 ? state::done : state::length;
      break;
    case body_framing::chunked:
      state_ = state::chunk_size_line;
      break;
    case body_framing::until_close:
    case body_framing::tunnel:
      state_ = state::until_close;
      break;
  }
}

std::optional<error> body_decoder::finish_at_close() const {
  if (state_ == state::done || state_ == state::until_close) return std::nullopt;
  return error::incomplete_body;
}

body_decoder::result body_decoder::decode(std::string_view input) {
  result r;
  switch (state_) {
    case state::done:
      r.done = true;
      return r;
    case state::until_close:
      r.consumed = input.size();
      r.content = input;
      received_ += input.size();
      return r;
    case state::length: {
      std::size_t take =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
      r.consumed = take;
      r.content = input.substr(0, take);
      remaining_ -= take;
      received_ += take;
      if (remaining_ == 0) state_ = state::done;
      r.done = state_ == state::done;
      return r;
    }
    case state::chunk_size_line:
      return decode_chunk_size_line(input);
    case state::chunk_data: {
      std::size_t take =
          static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
      r.consumed = take;
      r.content = input.substr(0, take);
      remaining_ -= take;
      received_ += take;
      if (remaining_ == 0) state_ = state::chunk_data_end;
      return r;
    }
    case state::chunk_data_end:
      if (input.size() < 2) {
        if (!input.empty() && input[0] != '\r')
          r.failure = input[0] == '\n' ? error::bare_lf : error::missing_chunk_terminator;
        return r;
      }
      if (input[0] != '\r' || input[1] != '\n') {
        r.failure = input[0] == '\n' ? error::bare_lf : error::missing_chunk_terminator;
        return r;
      }
      r.consumed = 2;
      state_ = state::chunk_size_line;
      return r;
    case state::trailers:
      return decode_trailers(input);
  }
  return r;
}

// chunk = chunk-size [ chunk-ext ] CRLF chunk-data CRLF (RFC 9112 §7.1);
// chunk-ext = *( BWS ";" BWS chunk-ext-name [ BWS "=" BWS chunk-ext-val ] ).
body_decoder::result body_decoder::decode_chunk_size_line(std::string_view input) {
  result r;
  constexpr std::size_t max_size_digits = 16;  // 64 bits of hexadecimal
  const std::size_t max_line = max_size_digits + limits_.max_chunk_extensions + 2;
  std::size_t lf = input.substr(0, max_line).find('\n');
  if (lf == std::string_view::npos) {
    std::string_view seen = input.substr(0, max_line);
    std::size_t zeros = 0, digits = 0;
    while (zeros < seen.size() && seen[zeros] == '0') ++zeros;
    while (zeros + digits < seen.size() && syntax::is_hexdig(seen[zeros + digits])) ++digits;
    // Reject what is already wrong rather than wait for more of it. Leading zeros are valid
    // (1*HEXDIG); only significant digits can overflow.
    if (!seen.empty() && zeros + digits == 0) r.failure = error::invalid_chunk_size;
    else if (digits > max_size_digits) r.failure = error::chunk_size_overflow;
    else if (input.size() >= max_line) r.failure = error::chunk_extension_too_long;
    return r;
  }
  // The verdict must not depend on where the input was cut, so the size is judged first, as
  // it is above when the line is not yet whole.
  std::size_t digits = 0;
  while (digits < lf && syntax::is_hexdig(input[digits])) ++digits;
  if (digits == 0) {
    r.failure = error::invalid_chunk_size;
    return r;
  }
  std::uint64_t size = 0;
  for (std::size_t i = 0; i < digits; ++i) {
    if (size > (UINT64_MAX >> 4)) {
      r.failure = error::chunk_size_overflow;
      return r;
    }
    size = (size << 4) | static_cast<std::uint64_t>(syntax::hex_value(input[i]));
  }
  if (input[lf - 1] != '\r') {
    r.failure = error::bare_lf;
    return r;
  }
  std::string_view line = input.substr(0, lf - 1);
  std::string_view ext = line.substr(digits);
  if (ext.size() > limits_.max_chunk_extensions) {
    r.failure = error::chunk_extension_too_long;
    return r;
  }
  if (std::string_view rest = syntax::trim_ows(ext);
      !ext.empty() && (rest.empty() || rest.front() != ';')) {
    r.failure = error::invalid_chunk_size;  // "5 ", "0x5", "5g", "-5"
    return r;
  }
  // Validate the extensions; herald gives them no meaning and ignores them (RFC 9112 §7.1.1).
  while (!ext.empty()) {
    std::size_t i = 0;
    while (i < ext.size() && syntax::is_ows(ext[i])) ++i;
    if (i == ext.size() || ext[i] != ';') {
      r.failure = error::invalid_chunk_extension;
      return r;
    }
    ++i;
    while (i < ext.size() && syntax::is_ows(ext[i])) ++i;
    std::size_t name_start = i;
    while (i < ext.size() && syntax::is_tchar(ext[i])) ++i;
    if (i == name_start) {
      r.failure = error::invalid_chunk_extension;
      return r;
    }
    std::size_t j = i;
    while (j < ext.size() && syntax::is_ows(ext[j])) ++j;
    if (j < ext.size() && ext[j] == '=') {
      ++j;
      while (j < ext.size() && syntax::is_ows(ext[j])) ++j;
      std::size_t value_start = j;
      if (j < ext.size() && ext[j] == '"') {
        std::size_t quoted = syntax::quoted_string_length(ext.substr(j));
        if (quoted == 0) {
          r.failure = error::invalid_chunk_extension;
          return r;
        }
        j += quoted;
      } else {
        while (j < ext.size() && syntax::is_tchar(ext[j])) ++j;
      }
      if (j == value_start) {
        r.failure = error::invalid_chunk_extension;
        return r;
      }
      i = j;
    }
    ext.remove_prefix(i);
  }

  r.consumed = lf + 1;
  if (size == 0) {
    state_ = state::trailers;
    result t = decode_trailers(input.substr(lf + 1));
    if (t.failure || t.done) {
      t.consumed += r.consumed;
      return t;
    }
    return r;
  }
  if (size > limits_.max_content_length - std::min(received_, limits_.max_content_length)) {
    r.failure = error::content_too_large;
    return r;
  }
  remaining_ = size;
  state_ = state::chunk_data;
  return r;
}

// trailer-section = *( field-line CRLF ), then CRLF (RFC 9112 §7.1.2). Trailers are kept
// apart from the header fields (RFC 9110 §6.5.1: never merged without knowing they may be).
body_decoder::result body_decoder::decode_trailers(std::string_view input) {
  result r;
  std::size_t pos = 0;
  // The section's size counts each field line with its CRLF, as the header section's does,
  // and is judged the same whether the input is whole or cut.
  while (true) {
    std::size_t lf = input.find('\n', pos);
    if (lf == std::string_view::npos) {
      std::string_view partial = input.substr(pos);
      std::size_t content = partial.size() - (partial.ends_with('\r') ? 1 : 0);
      if (content > 0 && pos + content + 2 > limits_.max_trailer_section)
        r.failure = error::trailer_section_too_large;
      return r;
    }
    const bool crlf = lf > pos && input[lf - 1] == '\r';
    std::size_t content = lf - pos - (crlf ? 1 : 0);
    if (content > 0 && pos + content + 2 > limits_.max_trailer_section) {
      r.failure = error::trailer_section_too_large;
      return r;
    }
    if (!crlf) {
      r.failure = error::bare_lf;
      return r;
    }
    if (content == 0) {
      // The empty line ends the message.
      trailers_.clear();
      if (auto e = parse_field_lines(input.substr(0, pos), false, limits_.max_field_count, trailers_)) {
        r.failure = *e;
        return r;
      }
      r.consumed = lf + 1;
      r.done = true;
      state_ = state::done;
      return r;
    }
    pos = lf + 1;
  }
}

}  // namespace herald::http1
