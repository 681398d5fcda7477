#pragma once
// Media types (RFC 9110 §8.3.1), the ";"-separated parameters they share with other fields
// (RFC 9110 §5.6.6: Transfer-Encoding, Content-Disposition, ...), and quality values
// (RFC 9110 §12.4.2).
//
// Parsing never allocates for up to parameter_list::inline_capacity parameters and never
// copies: every std::string_view in a parsed value points into the caller's buffer, which must
// outlive the result. Nothing here throws on malformed input; parsers return std::nullopt or
// false.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace herald::core {

// One `parameter-name "=" parameter-value` (RFC 9110 §5.6.6).
struct parameter {
  // As written; names compare case-insensitively (use parameter_list::find or iequals).
  std::string_view name;
  // The value as written, without the surrounding quotes of a quoted-string. A view cannot
  // drop the backslash of a quoted-pair, so `value` still holds `\"` where the field did;
  // use has_escapes(), unescaped_value() or value_equals() when that matters.
  std::string_view value;
  bool quoted = false;

  // True when `value` holds a quoted-pair, i.e. differs from the text it stands for.
  bool has_escapes() const { return quoted && value.find('\\') != std::string_view::npos; }
  // The text the value stands for (allocates).
  std::string unescaped_value() const;
  // Compares the text the value stands for with `text` without allocating.
  bool value_equals(std::string_view text, bool case_insensitive = false) const;
};

// True when two parameters have the same name and equal values under that parameter's
// rule: values compare case-sensitively except `charset`, whose values are case-insensitive
// (RFC 9110 §8.3.2). Quoted and unquoted forms of the same text are equal (RFC 9110 §5.6.6).
bool parameters_match(const parameter& a, const parameter& b);

// A small vector of parameters: the first inline_capacity live inside the object, more spill
// to the heap. Copies and moves keep the views, so they stay tied to the parsed buffer.
class parameter_list {
 public:
  static constexpr std::size_t inline_capacity = 4;

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const parameter* begin() const {
    return size_ <= inline_capacity ? inline_.data() : spill_.data();
  }
  const parameter* end() const { return begin() + size_; }
  const parameter& operator[](std::size_t i) const { return begin()[i]; }

  void push_back(const parameter& p);
  void clear();
  // The first parameter whose name equals `name` case-insensitively, or nullptr.
  const parameter* find(std::string_view name) const;
  // True when two parameters share a name (case-insensitively), which RFC 6838 §4.3 makes an
  // error for media types.
  bool has_repeated_name() const;

 private:
  std::array<parameter, inline_capacity> inline_{};
  std::vector<parameter> spill_;
  std::size_t size_ = 0;
};

// How parse_parameters treats whitespace around "=".
enum class parameter_syntax : std::uint8_t {
  // RFC 9110 §5.6.6: "Parameters do not allow whitespace (not even 'bad' whitespace) around
  // the '=' character." Media types, Accept, and most fields.
  strict,
  // `token BWS "=" BWS value`, as transfer-parameter (RFC 9112 §7) allows.
  bws_around_equals,
};

// Reads `*( OWS ";" OWS [ parameter ] )` (RFC 9110 §5.6.6) from the front of `in` and appends
// each parameter to `out`. Empty parameters (`text/plain;` or `a;;b=c`) are allowed and
// skipped. Stops before the first byte that cannot continue the parameters (a "," of a list,
// the end, or garbage the caller must reject) without consuming OWS in front of it. Returns
// false when a ";" is followed by a malformed parameter: a name without "=" or a value that
// is neither a token nor a well-formed quoted-string; `in` and `out` are then unspecified.
// Duplicate names are kept: whether they are an error depends on the field.
bool parse_parameters(std::string_view& in, parameter_list& out,
                      parameter_syntax syntax = parameter_syntax::strict);

// `type "/" subtype parameters` (RFC 9110 §8.3.1).
struct media_type {
  std::string_view type;     // as written; compare case-insensitively
  std::string_view subtype;  // as written; compare case-insensitively
  parameter_list parameters;
};

// Parses a Content-Type-style value. Surrounding OWS is ignored; anything else outside the
// grammar makes the whole value invalid: an empty type or subtype, a missing "/", whitespace
// around "/", trailing bytes, or a parameter name given twice (RFC 6838 §4.3: "It is an error
// for a specific parameter to be specified more than once"). Empty parameters are accepted.
// The result views into `value`.
std::optional<media_type> parse_media_type(std::string_view value);

// The canonical form: type, subtype and parameter names in lower case, `charset` values in
// lower case (they are case-insensitive), other values as they stand for, bare when they are
// tokens and quoted (escaping only `"` and `\`) otherwise; `;` without whitespace (parsing has
// already dropped empty parameters). parse_media_type(to_string(m)) is equivalent to m.
// Precondition: every unescaped value consists of HTAB, SP, VCHAR or obs-text, as any parsed value
// does.
std::string to_string(const media_type& m);

// Same type and subtype, compared case-insensitively (RFC 9110 §8.3.1), ignoring parameters.
bool same_type(const media_type& a, const media_type& b);

// Same type and subtype and the same set of parameters (order is insignificant, RFC 6838
// §4.3), values compared as parameters_match does. RFC 9110 §8.3.1's four spellings of
// text/html with charset utf-8 are all equivalent.
bool equivalent(const media_type& a, const media_type& b);

// A quality value in thousandths: 0 ("not acceptable") to 1000 (most preferred), so that
// comparisons are exact (RFC 9110 §12.4.2).
using qvalue = std::uint16_t;
inline constexpr qvalue qvalue_max = 1000;

// qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) (RFC 9110 §12.4.2), exactly:
// no sign, no leading ".", no fourth decimal, nothing above 1.
std::optional<qvalue> parse_qvalue(std::string_view text);

}  // namespace herald::core
