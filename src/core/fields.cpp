#include <algorithm>
#include <array>
#include <functional>
#include <limits>

#include <herald/core/fields.hpp>
#include <herald/core/syntax.hpp>

namespace herald::core {

namespace {

using syntax::iequals;
using syntax::to_lower;

// Three-way ASCII case-insensitive comparison, the order of the traits table.
constexpr int icompare(std::string_view a, std::string_view b) noexcept {
  std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i) {
    char x = to_lower(a[i]);
    char y = to_lower(b[i]);
    if (x != y) return static_cast<unsigned char>(x) < static_cast<unsigned char>(y) ? -1 : 1;
  }
  if (a.size() == b.size()) return 0;
  return a.size() < b.size() ? -1 : 1;
}

constexpr field_kind list = field_kind::list;
constexpr field_kind singleton = field_kind::singleton;
constexpr bool hop = true;

// The one table of field traits (style guide habit 9). A field is a list when at least one
// alternative of its grammar is a #list, the criterion of RFC 9110 §5.3; otherwise a singleton.
// Hop-by-hop marks follow RFC 9110 §7.6.1 and Go's httputil hopHeaders. Kept sorted by name,
// case-insensitively: traits_of() searches it by bisection.
constexpr std::array<field_traits, 86> table{{
    {"A-IM", list, false},                      // RFC 3229 §10.5.3: #( instance-manipulation )
    {"Accept", list, false},                    // RFC 9110 §12.5.1
    {"Accept-Charset", list, false},            // RFC 9110 §12.5.2
    {"Accept-Encoding", list, false},           // RFC 9110 §12.5.3
    {"Accept-Language", list, false},           // RFC 9110 §12.5.4
    {"Accept-Patch", list, false},              // RFC 5789 §3.1: 1#media-type
    {"Accept-Ranges", list, false},             // RFC 9110 §14.3
    {"Age", singleton, false},                  // RFC 9111 §5.1: delta-seconds
    {"Allow", list, false},                     // RFC 9110 §10.2.1
    {"Alt-Svc", list, false},                   // RFC 7838 §3: clear / 1#alt-value
    {"Alt-Used", singleton, false},             // RFC 7838 §5: uri-host [ ":" port ]
    {"Alternates", list, false},                // RFC 2295 §8.3: 1#( variant-description ... )
    {"Authentication-Info", list, false},       // RFC 9110 §11.6.3
    {"Authorization", singleton, false},        // RFC 9110 §11.6.2: credentials
    {"C-Man", list, false},                     // RFC 2774 §4.2
    {"C-Opt", list, false},                     // RFC 2774 §4.2
    {"Cache-Control", list, false},             // RFC 9111 §5.2
    {"Connection", list, hop},                  // RFC 9110 §7.6.1
    {"Content-Disposition", singleton, false},  // RFC 6266 §4.1
    {"Content-Encoding", list, false},          // RFC 9110 §8.4
    {"Content-Language", list, false},          // RFC 9110 §8.5
    {"Content-Length", field_kind::content_length, false},  // RFC 9110 §8.6
    {"Content-Location", singleton, false},                 // RFC 9110 §8.7
    {"Content-Range", singleton, false},                    // RFC 9110 §14.4
    {"Content-Type", singleton, false},                     // RFC 9110 §8.3
    {"Cookie", field_kind::cookie, false},                  // RFC 6265 §5.4, RFC 9113 §8.2.3
    {"Date", singleton, false},                             // RFC 9110 §6.6.1
    {"DAV", list, false},                              // RFC 4918 §10.1: #( compliance-class )
    {"Delta-Base", singleton, false},                  // RFC 3229 §10.5.1: entity-tag
    {"Depth", singleton, false},                       // RFC 4918 §10.2
    {"Destination", singleton, false},                 // RFC 4918 §10.3
    {"Early-Data", singleton, false},                  // RFC 8470 §5.1: "1"
    {"ETag", singleton, false},                        // RFC 9110 §8.8.3
    {"Expect", list, false},                           // RFC 9110 §10.1.1: #expectation
    {"Expires", singleton, false},                     // RFC 9111 §5.3
    {"Forwarded", list, false},                        // RFC 7239 §4: 1#forwarded-element
    {"From", singleton, false},                        // RFC 9110 §10.1.2
    {"Host", singleton, false},                        // RFC 9110 §7.2, RFC 9112 §3.2
    {"If", singleton, false},                          // RFC 4918 §10.4: lists without commas
    {"If-Match", list, false},                         // RFC 9110 §13.1.1
    {"If-Modified-Since", singleton, false},           // RFC 9110 §13.1.3
    {"If-None-Match", list, false},                    // RFC 9110 §13.1.2
    {"If-Range", singleton, false},                    // RFC 9110 §13.1.5
    {"If-Unmodified-Since", singleton, false},         // RFC 9110 §13.1.4
    {"IM", list, false},                               // RFC 3229 §10.5.2
    {"Keep-Alive", list, hop},                         // RFC 2068 §19.7.1.1, RFC 9110 §7.6.1
    {"Last-Modified", singleton, false},               // RFC 9110 §8.8.2
    {"Link", list, false},                             // RFC 8288 §3: #link-value
    {"Location", singleton, false},                    // RFC 9110 §10.2.2
    {"Lock-Token", singleton, false},                  // RFC 4918 §10.5
    {"Man", list, false},                              // RFC 2774 §4.1: 1#ext-decl
    {"Max-Forwards", singleton, false},                // RFC 9110 §7.6.2
    {"Negotiate", list, false},                        // RFC 2295 §8.4
    {"Opt", list, false},                              // RFC 2774 §4.1
    {"Origin", singleton, false},                      // RFC 6454 §7.1
    {"Overwrite", singleton, false},                   // RFC 4918 §10.6
    {"Pragma", list, false},                           // RFC 9111 §5.4
    {"Prefer", list, false},                           // RFC 7240 §2
    {"Preference-Applied", list, false},               // RFC 7240 §3
    {"Proxy-Authenticate", list, hop},                 // RFC 9110 §11.7.1
    {"Proxy-Authentication-Info", list, false},        // RFC 9110 §11.7.3
    {"Proxy-Authorization", singleton, hop},           // RFC 9110 §11.7.2
    {"Proxy-Connection", list, hop},                   // never standard; RFC 9110 §7.6.1 names it
    {"Range", singleton, false},                       // RFC 9110 §14.2: commas only inside
    {"Referer", singleton, false},                     // RFC 9110 §10.1.3
    {"Retry-After", singleton, false},                 // RFC 9110 §10.2.3
    {"Sec-WebSocket-Accept", singleton, false},        // RFC 6455 §11.3.3
    {"Sec-WebSocket-Extensions", list, false},         // RFC 6455 §11.3.2
    {"Sec-WebSocket-Key", singleton, false},           // RFC 6455 §11.3.1
    {"Sec-WebSocket-Protocol", list, false},           // RFC 6455 §11.3.4: 1#token from clients
    {"Sec-WebSocket-Version", list, false},            // RFC 6455 §11.3.5: 1#version from servers
    {"Server", singleton, false},                      // RFC 9110 §10.2.4
    {"Set-Cookie", field_kind::never_combine, false},  // RFC 6265 §3, RFC 9110 §5.3
    {"Strict-Transport-Security", singleton, false},   // RFC 6797 §6.1
    {"TCN", list, false},                              // RFC 2295 §8.5
    {"TE", list, hop},                                 // RFC 9110 §10.1.4
    {"Timeout", list, false},                          // RFC 4918 §10.7: 1#TimeType
    {"Trailer", list, hop},                            // RFC 9110 §6.6.2; hop-by-hop as in Go
    {"Transfer-Encoding", list, hop},                  // RFC 9112 §6.1
    {"Upgrade", list, hop},                            // RFC 9110 §7.8
    {"User-Agent", singleton, false},                  // RFC 9110 §10.1.5
    {"Variant-Vary", list, false},                     // RFC 2295 §8.6
    {"Vary", list, false},                             // RFC 9110 §12.5.5
    {"Via", list, false},                              // RFC 9110 §7.6.3
    {"Warning", list, false},                          // RFC 9111 §5.5 (obsolete)
    {"WWW-Authenticate", list, false},                 // RFC 9110 §11.6.1
}};

constexpr bool table_is_sorted() {
  for (std::size_t i = 1; i < table.size(); ++i)
    if (icompare(table[i - 1].name, table[i].name) >= 0) return false;
  return true;
}
static_assert(table_is_sorted(), "the field table must be sorted case-insensitively, no repeats");

constexpr std::size_t max_buffer = std::numeric_limits<std::uint32_t>::max();

// One pass over a list value: the index just past the element that starts at `s[0]`, i.e. the
// position of the next separating comma (or s.size()). Quoted strings are skipped whole, so their
// commas do not separate (RFC 9110 §5.6.1). Returns nullopt for a malformed quoted string or an
// octet no field value may hold (RFC 9110 §5.5).
std::optional<std::size_t> element_end(std::string_view s) noexcept {
  std::size_t i = 0;
  while (i < s.size() && s[i] != ',') {
    if (s[i] == '"') {
      std::size_t quoted = syntax::quoted_string_length(s.substr(i));
      if (quoted == 0) return std::nullopt;
      i += quoted;
    } else if (syntax::is_field_vchar(s[i]) || syntax::is_ows(s[i])) {
      ++i;
    } else {
      return std::nullopt;
    }
  }
  return i;
}

bool is_valid_list(std::string_view value) noexcept {
  while (!value.empty()) {
    std::optional<std::size_t> end = element_end(value);
    if (!end) return false;
    value.remove_prefix(std::min(*end + 1, value.size()));
  }
  return true;
}

}  // namespace

field_traits traits_of(std::string_view name) noexcept {
  const auto* it = std::lower_bound(
      table.begin(), table.end(), name,
      [](const field_traits& t, std::string_view n) { return icompare(t.name, n) < 0; });
  if (it != table.end() && iequals(it->name, name)) return *it;
  return {};
}

std::span<const field_traits> known_fields() noexcept {
  return table;
}

// ---------------------------------------------------------------------------------------------
// Lists

list_elements::iterator& list_elements::iterator::operator++() noexcept {
  // parse() has validated the whole value, so element_end always succeeds here.
  while (!rest_.empty()) {
    std::size_t end = element_end(rest_).value_or(rest_.size());
    std::string_view element = syntax::trim_ows(rest_.substr(0, end));
    rest_.remove_prefix(std::min(end + 1, rest_.size()));
    // RFC 9110 §5.6.1.2: empty elements do not count and are skipped.
    if (!element.empty()) {
      current_ = element;
      return *this;
    }
  }
  current_ = {};
  return *this;
}

std::optional<list_elements> list_elements::parse(std::string_view value) noexcept {
  if (!is_valid_list(value)) return std::nullopt;
  return list_elements{value};
}

std::optional<std::vector<std::string_view>> parse_list(std::string_view value) {
  std::optional<list_elements> elements = list_elements::parse(value);
  if (!elements) return std::nullopt;
  return std::vector<std::string_view>(elements->begin(), elements->end());
}

namespace {
bool has_token(const list_elements& elements, std::string_view token) noexcept {
  return std::any_of(elements.begin(), elements.end(),
                     [token](std::string_view e) { return iequals(e, token); });
}
}  // namespace

bool list_contains_token(std::string_view value, std::string_view token) noexcept {
  if (!syntax::is_token(token)) return false;
  std::optional<list_elements> elements = list_elements::parse(value);
  return elements && has_token(*elements, token);
}

// ---------------------------------------------------------------------------------------------
// fields

bool fields::acceptable(std::string_view name, std::string_view value) noexcept {
  return syntax::is_token(name) && acceptable_value(name.size(), value);
}

bool fields::acceptable_value(std::size_t name_size, std::string_view value) noexcept {
  return syntax::is_field_value(value) && name_size + value.size() <= max_buffer;
}

std::uint32_t fields::store(std::string_view name, std::string_view value) {
  std::size_t need = name.size() + value.size();
  if (buffer_.size() + need > std::min(buffer_.capacity(), max_buffer)) {
    // Growing copies every byte anyway, so copy only the bytes some line still refers to and
    // leave behind what erase and set abandoned. Offsets must stay below 2^32.
    std::size_t live = buffer_.size() - garbage_;
    std::size_t capacity = std::min(std::max<std::size_t>(2 * (live + need), 256), max_buffer);
    if (garbage_ == 0) {
      buffer_.reserve(capacity);
    } else {
      octets fresh;
      fresh.reserve(capacity);
      for (const line& l : lines_)
        fresh.append(buffer_.view().substr(l.offset, l.name_size + l.value_size), {});
      std::uint32_t offset = 0;
      for (line& l : lines_) {
        l.offset = offset;
        offset += l.name_size + l.value_size;
      }
      buffer_ = std::move(fresh);
      garbage_ = 0;
    }
  }
  // The octets fit in the capacity reserved above, so nothing can throw.
  std::size_t offset = buffer_.size();
  buffer_.append(name, value);
  return static_cast<std::uint32_t>(offset);
}

bool fields::views_own_buffer(std::string_view s) const noexcept {
  std::less<const char*> before;
  const char* begin = buffer_.data();
  const char* end = begin + buffer_.size();
  return !s.empty() && !before(s.data(), begin) && before(s.data(), end);
}

bool fields::add(std::string_view name, std::string_view value) {
  if (!acceptable(name, value)) return false;
  return append_line(name, value);
}

bool fields::add(field_name name, std::string_view value) {
  if (!acceptable_value(name.view().size(), value)) return false;
  return append_line(name.view(), value);
}

bool fields::append_line(std::string_view name, std::string_view value) {
  // Arguments taken from this object (f.add("X-Host", *f.find("Host"))) would dangle once the
  // buffer grows; copy them first.
  if (views_own_buffer(name) || views_own_buffer(value))
    return append_line(std::string{name}, std::string{value});
  if (name.size() + value.size() > max_buffer - (buffer_.size() - garbage_)) return false;
  std::size_t offset = buffer_.size();
  const std::size_t end = offset + name.size() + value.size();
  if (end <= buffer_.capacity() && end <= max_buffer && lines_.size() < lines_.capacity()) {
    // Room reserved for the octets and the line, the common case: append in one step.
    buffer_.append(name, value);
  } else {
    // Grow lines_ first: once store() has appended the bytes nothing may fail. store() may
    // also compact the buffer, which moves where the new line starts.
    if (lines_.size() == lines_.capacity()) lines_.reserve(std::max<std::size_t>(8, 2 * size()));
    offset = store(name, value);
  }
  lines_.push_back(line{static_cast<std::uint32_t>(offset), static_cast<std::uint32_t>(name.size()),
                        static_cast<std::uint32_t>(value.size())});
  return true;
}

bool fields::set(std::string_view name, std::string_view value) {
  if (!acceptable(name, value)) return false;
  return replace_line(name, value);
}

bool fields::set(field_name name, std::string_view value) {
  if (!acceptable_value(name.view().size(), value)) return false;
  return replace_line(name.view(), value);
}

bool fields::replace_line(std::string_view name, std::string_view value) {
  if (views_own_buffer(name) || views_own_buffer(value))
    return replace_line(std::string{name}, std::string{value});
  std::size_t first = find_index(name, 0);
  if (first == size()) return append_line(name, value);
  // The lines this call replaces are still live while store() runs, so count them as such.
  if (name.size() + value.size() > max_buffer - (buffer_.size() - garbage_)) return false;
  std::uint32_t offset = store(name, value);
  line& target = lines_[first];
  garbage_ += target.name_size + target.value_size;
  target = line{offset, static_cast<std::uint32_t>(name.size()),
                static_cast<std::uint32_t>(value.size())};
  std::size_t kept = first + 1;
  for (std::size_t i = first + 1; i < lines_.size(); ++i) {
    if (iequals(at(i).name, name)) {
      garbage_ += lines_[i].name_size + lines_[i].value_size;
    } else {
      lines_[kept++] = lines_[i];
    }
  }
  lines_.resize(kept);
  return true;
}

std::size_t fields::erase(std::string_view name) noexcept {
  return erase_if([name](const field& f) { return iequals(f.name, name); });
}

std::size_t fields::find_index(std::string_view name, std::size_t from) const noexcept {
  for (std::size_t i = from; i < lines_.size(); ++i)
    if (lines_[i].name_size == name.size() && iequals(at(i).name, name)) return i;
  return size();
}

std::optional<std::string_view> fields::find(std::string_view name) const noexcept {
  std::size_t i = find_index(name, 0);
  if (i == size()) return std::nullopt;
  return at(i).value;
}

std::size_t fields::count(std::string_view name) const noexcept {
  value_range values = this->values(name);
  return static_cast<std::size_t>(std::distance(values.begin(), values.end()));
}

std::optional<std::string> fields::combined(std::string_view name) const {
  std::size_t first = find_index(name, 0);
  if (first == size()) return std::nullopt;
  field_kind kind = traits_of(name).kind;
  // RFC 9110 §5.3 and RFC 6265 §3: Set-Cookie lines are separate values, even a lone one, so a
  // caller cannot get used to reading it as one.
  if (kind == field_kind::never_combine) return std::nullopt;
  std::size_t next = find_index(name, first + 1);
  if (next == size()) return std::string{at(first).value};
  // A repeated singleton is an error in the message: there is no one value to give.
  if (kind == field_kind::singleton) return std::nullopt;
  std::string_view separator = kind == field_kind::cookie ? "; " : ", ";

  std::size_t length = at(first).value.size();
  for (std::size_t i = next; i < size(); i = find_index(name, i + 1))
    length += separator.size() + at(i).value.size();
  std::string out;
  out.reserve(length);
  out.append(at(first).value);
  for (std::size_t i = next; i < size(); i = find_index(name, i + 1))
    out.append(separator).append(at(i).value);
  return out;
}

bool fields::contains_token(std::string_view name, std::string_view token) const noexcept {
  if (!syntax::is_token(token)) return false;
  value_range lines = values(name);
  if (!std::all_of(lines.begin(), lines.end(), is_valid_list)) return false;
  return std::any_of(lines.begin(), lines.end(), [token](std::string_view value) {
    std::optional<list_elements> elements = list_elements::parse(value);
    return elements && has_token(*elements, token);
  });
}

void fields::clear() noexcept {
  buffer_.clear();
  lines_.clear();
  garbage_ = 0;
}

void fields::reserve(std::size_t lines, std::size_t bytes) {
  lines_.reserve(lines);
  buffer_.reserve(std::min(bytes, max_buffer));
}

}  // namespace herald::core
