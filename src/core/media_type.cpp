#include <herald/core/media_type.hpp>
#include <herald/core/syntax.hpp>

namespace herald::core {

namespace {

using syntax::consume_token;
using syntax::iequals;
using syntax::is_tchar;
using syntax::skip_ows;
using syntax::to_lower;

// Walks the text a parameter value stands for, one character at a time, dropping the
// backslash of each quoted-pair (RFC 9110 §5.6.4), so values compare without a copy.
class value_reader {
 public:
  explicit value_reader(const parameter& p) : text_(p.value), quoted_(p.quoted) {}
  bool done() const { return pos_ >= text_.size(); }
  char next() {
    if (quoted_ && text_[pos_] == '\\' && pos_ + 1 < text_.size()) ++pos_;
    return text_[pos_++];
  }

 private:
  std::string_view text_;
  bool quoted_;
  std::size_t pos_ = 0;
};

bool readers_equal(value_reader a, value_reader b, bool case_insensitive) {
  while (!a.done() && !b.done()) {
    char x = a.next();
    char y = b.next();
    if (case_insensitive ? to_lower(x) != to_lower(y) : x != y) return false;
  }
  return a.done() && b.done();
}

// RFC 9110 §8.3.2: "charset" values are case-insensitive; a parameter is case-sensitive
// unless its definition says otherwise (§5.6.6).
bool value_is_case_insensitive(std::string_view name) {
  return iequals(name, "charset");
}

void append_lower(std::string& out, std::string_view s) {
  for (char c : s) out.push_back(to_lower(c));
}

bool unescaped_is_token(const parameter& p) {
  value_reader reader(p);
  if (reader.done()) return false;
  while (!reader.done())
    if (!is_tchar(reader.next())) return false;
  return true;
}

void append_value(std::string& out, const parameter& p) {
  bool lower = value_is_case_insensitive(p.name);
  // Decided on the unescaped text, so that "\a" and a come out the same and formatting a
  // parsed canonical string gives it back unchanged.
  bool quote = !unescaped_is_token(p);
  if (quote) out.push_back('"');
  value_reader reader(p);
  while (!reader.done()) {
    char c = reader.next();
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(lower ? to_lower(c) : c);
  }
  if (quote) out.push_back('"');
}

}  // namespace

std::string parameter::unescaped_value() const {
  std::string out;
  out.reserve(value.size());
  value_reader reader(*this);
  while (!reader.done()) out.push_back(reader.next());
  return out;
}

bool parameter::value_equals(std::string_view text, bool case_insensitive) const {
  return readers_equal(value_reader(*this), value_reader(parameter{{}, text, false}),
                       case_insensitive);
}

bool parameters_match(const parameter& a, const parameter& b) {
  return iequals(a.name, b.name) &&
         readers_equal(value_reader(a), value_reader(b), value_is_case_insensitive(a.name));
}

void parameter_list::push_back(const parameter& p) {
  if (size_ < inline_capacity) {
    inline_[size_++] = p;
    return;
  }
  if (size_ == inline_capacity) spill_.assign(inline_.begin(), inline_.end());
  spill_.push_back(p);
  ++size_;
}

void parameter_list::clear() {
  spill_.clear();
  size_ = 0;
}

const parameter* parameter_list::find(std::string_view name) const {
  for (const parameter& p : *this)
    if (iequals(p.name, name)) return &p;
  return nullptr;
}

bool parameter_list::has_repeated_name() const {
  for (std::size_t i = 0; i < size_; ++i)
    for (std::size_t j = i + 1; j < size_; ++j)
      if (iequals((*this)[i].name, (*this)[j].name)) return true;
  return false;
}

bool parse_parameters(std::string_view& in, parameter_list& out, parameter_syntax syntax) {
  for (;;) {
    std::string_view rest = in;
    skip_ows(rest);
    if (rest.empty() || rest.front() != ';') return true;
    rest.remove_prefix(1);
    skip_ows(rest);
    parameter p;
    p.name = consume_token(rest);
    if (p.name.empty()) {
      // RFC 9110 §5.6.6: parameters = *( OWS ";" OWS [ parameter ] ), so ";" may stand alone.
      in = rest;
      continue;
    }
    if (syntax == parameter_syntax::bws_around_equals) skip_ows(rest);
    if (rest.empty() || rest.front() != '=') return false;
    rest.remove_prefix(1);
    if (syntax == parameter_syntax::bws_around_equals) skip_ows(rest);
    if (!rest.empty() && rest.front() == '"') {
      std::size_t length = syntax::quoted_string_length(rest);
      if (length == 0) return false;
      p.value = rest.substr(1, length - 2);
      p.quoted = true;
      rest.remove_prefix(length);
    } else {
      p.value = consume_token(rest);
      if (p.value.empty()) return false;
    }
    out.push_back(p);
    in = rest;
  }
}

std::optional<media_type> parse_media_type(std::string_view value) {
  std::string_view in = syntax::trim_ows(value);
  media_type m;
  m.type = consume_token(in);
  if (m.type.empty() || in.empty() || in.front() != '/') return std::nullopt;
  in.remove_prefix(1);
  m.subtype = consume_token(in);
  if (m.subtype.empty()) return std::nullopt;
  if (!parse_parameters(in, m.parameters)) return std::nullopt;
  // The value was trimmed, so whatever is left is not OWS before a ";" but garbage.
  if (!in.empty()) return std::nullopt;
  if (m.parameters.has_repeated_name()) return std::nullopt;
  return m;
}

std::string to_string(const media_type& m) {
  std::string out;
  out.reserve(m.type.size() + m.subtype.size() + 1 + m.parameters.size() * 16);
  append_lower(out, m.type);
  out.push_back('/');
  append_lower(out, m.subtype);
  for (const parameter& p : m.parameters) {
    out.push_back(';');
    append_lower(out, p.name);
    out.push_back('=');
    append_value(out, p);
  }
  return out;
}

bool same_type(const media_type& a, const media_type& b) {
  return iequals(a.type, b.type) && iequals(a.subtype, b.subtype);
}

bool equivalent(const media_type& a, const media_type& b) {
  if (!same_type(a, b) || a.parameters.size() != b.parameters.size()) return false;
  // Names are unique (parse_media_type rejects repeats), so with equal counts finding each
  // parameter of one side in the other is a comparison of sets.
  for (const parameter& p : a.parameters) {
    bool found = false;
    for (const parameter& q : b.parameters) found = found || parameters_match(p, q);
    if (!found) return false;
  }
  return true;
}

std::optional<qvalue> parse_qvalue(std::string_view text) {
  if (text.empty() || (text[0] != '0' && text[0] != '1')) return std::nullopt;
  bool one = text[0] == '1';
  if (text.size() == 1) return one ? qvalue_max : qvalue{0};
  // RFC 9110 §12.4.2: at most three decimals after ".", and only zeros after a "1".
  if (text[1] != '.' || text.size() > 5) return std::nullopt;
  qvalue thousandths = 0;
  qvalue scale = 100;
  for (char c : text.substr(2)) {
    if (!syntax::is_digit(c) || (one && c != '0')) return std::nullopt;
    thousandths = static_cast<qvalue>(thousandths + (c - '0') * scale);
    scale = static_cast<qvalue>(scale / 10);
  }
  return one ? qvalue_max : thousandths;
}

}  // namespace herald::core
