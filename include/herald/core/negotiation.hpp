#pragma once
// Proactive content negotiation (RFC 9110 §12): parsing Accept, Accept-Encoding,
// Accept-Language and Accept-Charset, the quality each gives a value (§12.5), and choosing
// among a resource's variants.
//
// Malformed fields. RFC 9110 §12.4.2 does not say what an invalid qvalue does to its list.
// herald's rule, for the qvalue and for every other syntax error in these four fields: the
// whole field is malformed (the parse functions return std::nullopt) and negotiation
// disregards it, as if it were absent, and reports so. Reasons: dropping one element changes
// the meaning of the rest (drop `identity;q=1.5` from `identity;q=1.5, *;q=0` and identity
// becomes unacceptable); after a broken quoted-string no "," can be trusted to start the next
// element; and RFC 9110 (§12.5.1, §12.5.2) already lets a server disregard a field it cannot
// honour, which answers with the server's default instead of a guess. The common real-world case,
// Java's old `Accept: text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2`, is thereby read as
// "anything".
//
// Lifetimes: parsed elements view into the field value passed in; `variant` views into the
// caller's strings. Nothing here throws.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/flag_set.hpp>
#include <herald/core/media_type.hpp>

namespace herald::core {

// One element of Accept: `media-range [ weight ]` (RFC 9110 §12.5.1). `range.type` is "*"
// only together with `range.subtype` "*". `range.parameters` holds the parameters before the
// weight; parameters after it (RFC 7231's accept-ext, gone from RFC 9110) are accepted and
// ignored.
struct media_range {
  media_type range;
  qvalue q = qvalue_max;
};

// One element of Accept-Encoding, Accept-Language or Accept-Charset: `value [ weight ]`.
// These grammars allow no parameter other than the weight.
struct weighted_value {
  std::string_view value;  // as written: a coding, a language-range, a charset, or "*"
  qvalue q = qvalue_max;
};

// Each returns the elements in field order, std::nullopt when the field is malformed. The
// value is a whole field: several field lines of one name joined with ", " (RFC 9110 §5.3).
// Empty list elements (`a, , b`) are skipped as RFC 9110 §5.6.1.2 requires; an empty value
// yields an empty list. A weight's name is case-insensitive (`Q=0.5`); its value may not be
// quoted. A media-range parameter given twice is an error (RFC 6838 §4.3).

// Accept (RFC 9110 §12.5.1): "*/*", "type/*" or "type/subtype", then parameters; "*/subtype"
// is malformed.
std::optional<std::vector<media_range>> parse_accept(std::string_view value);
// Accept-Encoding (RFC 9110 §12.5.3): a token, "identity" and "*" included.
std::optional<std::vector<weighted_value>> parse_accept_encoding(std::string_view value);
// Accept-Language (RFC 9110 §12.5.4): a basic language-range (RFC 4647 §2.1),
// "*" or 1*8ALPHA *( "-" 1*8alphanum ).
std::optional<std::vector<weighted_value>> parse_accept_language(std::string_view value);
// Accept-Charset (RFC 9110 §12.5.2, deprecated for senders): a token or "*".
std::optional<std::vector<weighted_value>> parse_accept_charset(std::string_view value);

// The quality one parsed field gives one value; 0 means "not acceptable".
//
// Among the elements that match, the most specific decides (RFC 9110 §12.5.1); among equally
// specific ones (a list that names the same thing twice) the highest q decides.
//
// media_type_quality: type/subtype with n parameters > type/subtype > type/* > */*; a range
// matches when type and subtype match (case-insensitively, "*" matching any) and the media
// type has every parameter of the range with a matching value. No match: 0.
qvalue media_type_quality(std::span<const media_range> accept, const media_type& type);
// coding_quality: "" and "identity" both mean no content coding; "x-gzip" is "gzip" and
// "x-compress" is "compress" (RFC 9110 §8.4.1.1, §8.4.1.3); names compare case-insensitively.
// An exact entry beats "*". Identity with neither its own entry nor "*" is acceptable at the
// lowest quality, 1 (RFC 9110 §12.5.3: acceptable unless excluded by `identity;q=0` or by
// `*;q=0`); so an empty Accept-Encoding allows identity only. Other codings unmatched: 0.
qvalue coding_quality(std::span<const weighted_value> accept_encoding, std::string_view coding);
// language_quality: basic filtering (RFC 4647 §3.3.1): a range matches a tag equal to it or
// beginning with it followed by "-" ("en" matches "en-US", not "eng"), case-insensitively;
// "*" matches any tag. The longest matching range is the most specific. No match: 0.
// Precondition: `tag` is not empty.
qvalue language_quality(std::span<const weighted_value> accept_language, std::string_view tag);
// language_preference: what negotiation uses. A tag some range matches by filtering gets that
// quality, so `fr;q=0` excludes French. Otherwise a range that reaches the tag by RFC 4647
// §3.4 lookup's fallback ("en-GB" → "en") gives half its quality, and a tag the client did
// not mention is acceptable at the lowest quality, 1: RFC 9110 §12.1 lets a server send a
// representation outside the preferences rather than 406, and a page in another language
// serves a reader better than an error. Precondition: `tag` is not empty.
qvalue language_preference(std::span<const weighted_value> accept_language, std::string_view tag);
// charset_quality: case-insensitive names (RFC 9110 §8.3.2); an exact entry beats "*". No
// match: 0. Precondition: `charset` is not empty.
qvalue charset_quality(std::span<const weighted_value> accept_charset, std::string_view charset);

// One representation a resource can send.
struct variant {
  media_type type;
  std::string_view coding;             // content coding; "" or "identity" for none
  std::string_view language;           // language tag; "" for none (an image, say)
  std::string_view charset;            // "" to use the `charset` parameter of `type`, if any
  qvalue source_quality = qvalue_max;  // the server's own rating (Apache's qs); capped at 1000
};

// The quality of one variant in each dimension, each 0..1000.
struct variant_quality {
  qvalue type = 0;
  qvalue charset = 0;
  qvalue language = 0;
  qvalue coding = 0;
  qvalue source = 0;

  // The dimensions combine by multiplication, as Apache's negotiation algorithm does: any 0
  // makes the variant unacceptable, and a strong preference in one field can outweigh a weak
  // one in another. Exact: at most 1000^5 = 10^15.
  std::uint64_t combined() const {
    return std::uint64_t{type} * charset * language * coding * source;
  }
  bool acceptable() const { return combined() != 0; }
};

// The four request fields, as a set of bits.
enum class accept_field : std::uint8_t {
  accept = 1u << 0,
  accept_encoding = 1u << 1,
  accept_language = 1u << 2,
  accept_charset = 1u << 3,
};
std::string_view to_string(accept_field f);  // the field name, e.g. "Accept-Encoding"

using accept_fields = flag_set<accept_field>;
constexpr accept_fields operator|(accept_field a, accept_field b) {
  return accept_fields{a} | accept_fields{b};
}
// "Accept, Accept-Encoding, ..." in that fixed order, for a Vary field; "" when empty.
std::string vary_value(accept_fields fields);

// The request's field values; std::nullopt when the request has no such field.
struct preference_fields {
  std::optional<std::string_view> accept = std::nullopt;
  std::optional<std::string_view> accept_encoding = std::nullopt;
  std::optional<std::string_view> accept_language = std::nullopt;
  std::optional<std::string_view> accept_charset = std::nullopt;
};

// The request's preferences, parsed once and asked about any number of variants. Views into
// the field values of the preference_fields it was built from.
//
// Absent fields accept anything (RFC 9110 §12.5.1–§12.5.4) at quality 1000, with two refinements
// that keep the unmarked choice the plain one: without Accept-Encoding, identity gets 1000 and
// every other coding 999 (acceptable, as §12.5.3 says, but not preferred over an unencoded
// variant the client never asked to decode); with Accept-Language present, a variant without
// a language gets 1 (acceptable, but below any language the user asked for). A variant without
// a charset gets 1000 (the field does not apply to it). An empty Accept, Accept-Language or
// Accept-Charset counts as absent: RFC 9110 gives an empty list a meaning only for
// Accept-Encoding (§12.5.3: identity only). A malformed field counts as absent too.
class preferences {
 public:
  preferences() = default;
  explicit preferences(const preference_fields& fields);

  variant_quality quality_of(const variant& v) const;
  // The fields that were present but malformed, and so disregarded.
  accept_fields disregarded() const { return disregarded_; }

 private:
  std::optional<std::vector<media_range>> accept_;
  std::optional<std::vector<weighted_value>> accept_encoding_;
  std::optional<std::vector<weighted_value>> accept_language_;
  std::optional<std::vector<weighted_value>> accept_charset_;
  accept_fields disregarded_;
};

enum class negotiation_outcome : std::uint8_t {
  chosen,          // one variant is best: send variants[best]
  not_acceptable,  // every variant has quality 0: answer 406, or disregard the fields
  tie,             // several variants that a user would tell apart share the best quality:
                   // answer 300 listing them, or send variants[best]
};

struct negotiation_result {
  negotiation_outcome outcome = negotiation_outcome::not_acceptable;
  // The best variant, the first of the tied ones (so a caller orders variants by its own
  // preference); variants.size() when not_acceptable.
  std::size_t best = 0;
  // How many variants share the best combined quality (0 when not_acceptable).
  std::size_t tied = 0;
  variant_quality quality;
  // The fields whose dimension the variants differ in: what the response's Vary must list
  // (RFC 9110 §12.5.5), whether or not the request carried them. Empty for one variant.
  accept_fields vary;
  // Present but malformed, and disregarded (see the top of this file).
  accept_fields disregarded;
};

// Picks the variant with the highest combined quality. Variants that share it are a tie only
// if one of them differs from the first in media type, language or charset: a content coding
// is invisible to the user, so coding-only differences are settled by the caller's order
// (put the preferred coding first).
negotiation_result negotiate(const preferences& prefs, std::span<const variant> variants);
negotiation_result negotiate(const preference_fields& fields, std::span<const variant> variants);

// The common case of Accept-Encoding alone: the coding to apply to one representation.
// `available` lists the codings the server can produce, in its order of preference; identity
// is always available, after them unless listed ("identity" or ""). Returns the element of
// `available` with the highest quality (the first among equals), "identity" when that wins and
// is not listed, or std::nullopt when nothing is acceptable (answer 406 or send identity
// anyway). An absent or malformed field selects identity.
std::optional<std::string_view> best_coding(std::optional<std::string_view> accept_encoding,
                                            std::span<const std::string_view> available);

}  // namespace herald::core
