#include <algorithm>
#include <utility>

#include <herald/core/fields.hpp>
#include <herald/core/negotiation.hpp>
#include <herald/core/syntax.hpp>

namespace herald::core {

namespace {

using syntax::consume_token;
using syntax::iequals;
using syntax::is_alpha;
using syntax::is_digit;

constexpr qvalue lowest_acceptable = 1;
// Without Accept-Encoding any coding is acceptable (RFC 9110 §12.5.3); one step below identity
// so that an unencoded variant wins when there is one.
constexpr qvalue unrequested_coding = qvalue_max - 1;

// `#element` as a recipient must read it (RFC 9110 §5.6.1.2): list_elements drops empty elements
// and the OWS around commas. `parse_element` consumes one element from the front of its
// argument, and must consume all of it.
template <class Element, class ParseElement>
std::optional<std::vector<Element>> parse_elements(std::string_view value,
                                                   ParseElement parse_element) {
  std::optional<list_elements> elements = list_elements::parse(value);
  if (!elements) return std::nullopt;
  std::vector<Element> out;
  out.reserve(static_cast<std::size_t>(std::count(value.begin(), value.end(), ',')) + 1);
  for (std::string_view in : *elements) {
    std::optional<Element> element = parse_element(in);
    if (!element || !in.empty()) return std::nullopt;
    out.push_back(std::move(*element));
  }
  return out;
}

// Where the parameters that follow a value split at the weight (RFC 9110 §12.4.2:
// weight = OWS ";" OWS "q=" qvalue).
struct weight_split {
  qvalue q = qvalue_max;
  bool has_weight = false;
  std::size_t after = 0;  // parameters that follow the weight
};

// Reads the parameters after a value; those in front of the weight go to `before`.
std::optional<weight_split> read_weight(std::string_view& in, parameter_list& before) {
  parameter_list all;
  if (!parse_parameters(in, all)) return std::nullopt;
  weight_split split;
  for (const parameter& p : all) {
    if (split.has_weight) {
      ++split.after;
    } else if (iequals(p.name, "q")) {
      // A qvalue is not a quoted-string in the grammar.
      std::optional<qvalue> q = p.quoted ? std::nullopt : parse_qvalue(p.value);
      if (!q) return std::nullopt;
      split.q = *q;
      split.has_weight = true;
    } else {
      before.push_back(p);
    }
  }
  return split;
}

std::optional<media_range> parse_media_range(std::string_view& in) {
  media_range element;
  media_type& range = element.range;
  range.type = consume_token(in);
  if (range.type.empty() || in.empty() || in.front() != '/') return std::nullopt;
  in.remove_prefix(1);
  range.subtype = consume_token(in);
  if (range.subtype.empty()) return std::nullopt;
  // RFC 9110 §12.5.1: media-range = "*/*" / ( type "/" "*" ) / ( type "/" subtype ).
  if (range.type == "*" && range.subtype != "*") return std::nullopt;
  std::optional<weight_split> split = read_weight(in, range.parameters);
  if (!split || range.parameters.has_repeated_name()) return std::nullopt;
  element.q = split->q;
  return element;
}

// RFC 4647 §2.1: language-range = (1*8ALPHA *("-" 1*8alphanum)) / "*".
bool is_language_range(std::string_view s) {
  if (s == "*") return true;
  bool first = true;
  for (;;) {
    std::size_t n = 0;
    while (n < s.size() && s[n] != '-') {
      if (!is_alpha(s[n]) && (first || !is_digit(s[n]))) return false;
      ++n;
    }
    if (n == 0 || n > 8) return false;
    if (n == s.size()) return true;
    s.remove_prefix(n + 1);
    first = false;
  }
}

// `value [ weight ]` where the grammar allows no other parameter.
template <class IsValue>
std::optional<weighted_value> parse_weighted_value(std::string_view& in, IsValue is_value) {
  weighted_value element;
  element.value = consume_token(in);
  if (element.value.empty() || !is_value(element.value)) return std::nullopt;
  parameter_list others;
  std::optional<weight_split> split = read_weight(in, others);
  if (!split || !others.empty() || split->after != 0) return std::nullopt;
  element.q = split->q;
  return element;
}

std::optional<std::vector<weighted_value>> parse_weighted_list(std::string_view value,
                                                               bool (*is_value)(std::string_view)) {
  return parse_elements<weighted_value>(
      value, [is_value](std::string_view& in) { return parse_weighted_value(in, is_value); });
}

bool any_token(std::string_view) {
  return true;
}

// RFC 9110 §8.4.1.1 and §8.4.1.3: a recipient SHOULD consider "x-compress" and "x-gzip"
// equivalent to "compress" and "gzip"; "" stands for no coding here.
std::string_view canonical_coding(std::string_view coding) {
  if (coding.empty()) return "identity";
  if (iequals(coding, "x-gzip")) return "gzip";
  if (iequals(coding, "x-compress")) return "compress";
  return coding;
}

bool is_identity(std::string_view coding) {
  return iequals(canonical_coding(coding), "identity");
}

bool same_coding(std::string_view a, std::string_view b) {
  return iequals(canonical_coding(a), canonical_coding(b));
}

// Keeps the quality of the most specific match, the highest q among equally specific ones.
template <class Specificity>
class best_match {
 public:
  void offer(Specificity specificity, qvalue q) {
    if (!found_ || found_specificity_ < specificity) {
      found_ = true;
      found_specificity_ = specificity;
      q_ = q;
    } else if (found_specificity_ == specificity) {
      q_ = std::max(q_, q);
    }
  }
  bool found() const { return found_; }
  qvalue q() const { return q_; }

 private:
  bool found_ = false;
  Specificity found_specificity_{};
  qvalue q_ = 0;
};

// An exact name beats "*"; nothing matching gives `fallback`.
qvalue named_quality(std::span<const weighted_value> list, std::string_view name,
                     bool (*same)(std::string_view, std::string_view), qvalue fallback) {
  best_match<int> match;
  for (const weighted_value& e : list) {
    if (e.value == "*")
      match.offer(0, e.q);
    else if (same(e.value, name))
      match.offer(1, e.q);
  }
  return match.found() ? match.q() : fallback;
}

bool same_charset(std::string_view a, std::string_view b) {
  return iequals(a, b);
}

bool range_parameters_match(const media_type& range, const media_type& type) {
  for (const parameter& wanted : range.parameters) {
    const parameter* have = type.parameters.find(wanted.name);
    if (have == nullptr || !parameters_match(wanted, *have)) return false;
  }
  return true;
}

std::string_view effective_charset(const variant& v) {
  if (!v.charset.empty()) return v.charset;
  const parameter* p = v.type.parameters.find("charset");
  return p != nullptr ? p->value : std::string_view{};
}

// Differences a user can see, as opposed to a content coding, which the client undoes.
bool visibly_different(const variant& a, const variant& b) {
  return !equivalent(a.type, b.type) || !iequals(a.language, b.language) ||
         !iequals(effective_charset(a), effective_charset(b));
}

accept_fields differing_fields(std::span<const variant> variants) {
  accept_fields fields;
  if (variants.empty()) return fields;
  const variant& first = variants.front();
  for (const variant& v : variants.subspan(1)) {
    if (!equivalent(first.type, v.type)) fields = fields | accept_field::accept;
    if (!same_coding(first.coding, v.coding)) fields = fields | accept_field::accept_encoding;
    if (!iequals(first.language, v.language)) fields = fields | accept_field::accept_language;
    if (!iequals(effective_charset(first), effective_charset(v)))
      fields = fields | accept_field::accept_charset;
  }
  return fields;
}

qvalue coding_preference(const std::optional<std::vector<weighted_value>>& accept_encoding,
                         std::string_view coding) {
  if (accept_encoding) return coding_quality(*accept_encoding, coding);
  return is_identity(coding) ? qvalue_max : unrequested_coding;
}

}  // namespace

std::optional<std::vector<media_range>> parse_accept(std::string_view value) {
  return parse_elements<media_range>(value, parse_media_range);
}

std::optional<std::vector<weighted_value>> parse_accept_encoding(std::string_view value) {
  return parse_weighted_list(value, any_token);
}

std::optional<std::vector<weighted_value>> parse_accept_language(std::string_view value) {
  return parse_weighted_list(value, is_language_range);
}

std::optional<std::vector<weighted_value>> parse_accept_charset(std::string_view value) {
  return parse_weighted_list(value, any_token);
}

qvalue media_type_quality(std::span<const media_range> accept, const media_type& type) {
  // Specificity: how many of type and subtype are named, then how many parameters.
  best_match<std::pair<int, std::size_t>> match;
  for (const media_range& e : accept) {
    const media_type& range = e.range;
    bool any_type = range.type == "*";
    bool any_subtype = range.subtype == "*";
    if (!any_type && !iequals(range.type, type.type)) continue;
    if (!any_subtype && !iequals(range.subtype, type.subtype)) continue;
    if (!range_parameters_match(range, type)) continue;
    int named = (any_type ? 0 : 1) + (any_subtype ? 0 : 1);
    match.offer({named, range.parameters.size()}, e.q);
  }
  return match.q();
}

qvalue coding_quality(std::span<const weighted_value> accept_encoding, std::string_view coding) {
  // RFC 9110 §12.5.3: a representation without content coding is acceptable unless
  // `identity;q=0`, or `*;q=0` without an identity entry, excludes it.
  qvalue fallback = is_identity(coding) ? lowest_acceptable : qvalue{0};
  return named_quality(accept_encoding, coding, same_coding, fallback);
}

namespace {

best_match<std::size_t> filter_language(std::span<const weighted_value> accept_language,
                                        std::string_view tag) {
  // Specificity: the length of the matching range; "*" has none.
  best_match<std::size_t> match;
  for (const weighted_value& e : accept_language) {
    std::string_view range = e.value;
    if (range == "*") {
      match.offer(0, e.q);
      continue;
    }
    // RFC 4647 §3.3.1: equal, or a prefix of the tag ending where a subtag ends.
    if (tag.size() < range.size() || !iequals(tag.substr(0, range.size()), range)) continue;
    if (tag.size() > range.size() && tag[range.size()] != '-') continue;
    match.offer(range.size(), e.q);
  }
  return match;
}

}  // namespace

qvalue language_quality(std::span<const weighted_value> accept_language, std::string_view tag) {
  return filter_language(accept_language, tag).q();
}

qvalue language_preference(std::span<const weighted_value> accept_language, std::string_view tag) {
  const best_match<std::size_t> filtered = filter_language(accept_language, tag);
  if (filtered.found()) return filtered.q();
  // RFC 4647 §3.4 lookup: a range falls back by dropping subtags, so "en-GB" reaches "en".
  best_match<std::size_t> looked_up;
  for (const weighted_value& e : accept_language) {
    const std::string_view range = e.value;
    if (range.size() > tag.size() && range[tag.size()] == '-' &&
        iequals(range.substr(0, tag.size()), tag))
      looked_up.offer(tag.size(), e.q);
  }
  if (looked_up.found() && looked_up.q() > 0)
    return std::max<qvalue>(looked_up.q() / 2, lowest_acceptable);
  return lowest_acceptable;
}

qvalue charset_quality(std::span<const weighted_value> accept_charset, std::string_view charset) {
  return named_quality(accept_charset, charset, same_charset, 0);
}

std::string_view to_string(accept_field f) {
  switch (f) {
    case accept_field::accept:
      return "Accept";
    case accept_field::accept_encoding:
      return "Accept-Encoding";
    case accept_field::accept_language:
      return "Accept-Language";
    case accept_field::accept_charset:
      return "Accept-Charset";
  }
  return {};
}

std::string vary_value(accept_fields fields) {
  std::string out;
  for (accept_field f : {accept_field::accept, accept_field::accept_encoding,
                         accept_field::accept_language, accept_field::accept_charset}) {
    if (!fields.contains(f)) continue;
    if (!out.empty()) out += ", ";
    out += to_string(f);
  }
  return out;
}

preferences::preferences(const preference_fields& fields) {
  auto take = [this](std::optional<std::string_view> value, auto parse, auto& slot,
                     accept_field field, bool empty_means_absent) {
    if (!value) return;
    auto parsed = parse(*value);
    if (!parsed) {
      disregarded_ = disregarded_ | field;
      return;
    }
    if (empty_means_absent && parsed->empty()) return;
    slot = std::move(parsed);
  };
  take(fields.accept, parse_accept, accept_, accept_field::accept, true);
  // RFC 9110 §12.5.3: an empty Accept-Encoding means "no content coding", not "absent".
  take(fields.accept_encoding, parse_accept_encoding, accept_encoding_,
       accept_field::accept_encoding, false);
  take(fields.accept_language, parse_accept_language, accept_language_,
       accept_field::accept_language, true);
  take(fields.accept_charset, parse_accept_charset, accept_charset_, accept_field::accept_charset,
       true);
}

variant_quality preferences::quality_of(const variant& v) const {
  variant_quality q;
  q.type = accept_ ? media_type_quality(*accept_, v.type) : qvalue_max;
  std::string_view charset = effective_charset(v);
  q.charset =
      accept_charset_ && !charset.empty() ? charset_quality(*accept_charset_, charset) : qvalue_max;
  if (!accept_language_)
    q.language = qvalue_max;
  else if (v.language.empty())
    q.language = lowest_acceptable;
  else
    q.language = language_preference(*accept_language_, v.language);
  q.coding = coding_preference(accept_encoding_, v.coding);
  q.source = std::min(v.source_quality, qvalue_max);
  return q;
}

negotiation_result negotiate(const preferences& prefs, std::span<const variant> variants) {
  negotiation_result result;
  result.vary = differing_fields(variants);
  result.disregarded = prefs.disregarded();
  result.best = variants.size();
  std::uint64_t best_score = 0;
  bool visible_tie = false;
  for (std::size_t i = 0; i < variants.size(); ++i) {
    variant_quality q = prefs.quality_of(variants[i]);
    std::uint64_t score = q.combined();
    if (score == 0) continue;
    if (score > best_score) {
      best_score = score;
      result.best = i;
      result.quality = q;
      result.tied = 1;
      visible_tie = false;
    } else if (score == best_score) {
      ++result.tied;
      visible_tie = visible_tie || visibly_different(variants[result.best], variants[i]);
    }
  }
  if (best_score == 0)
    result.outcome = negotiation_outcome::not_acceptable;
  else
    result.outcome = visible_tie ? negotiation_outcome::tie : negotiation_outcome::chosen;
  return result;
}

negotiation_result negotiate(const preference_fields& fields, std::span<const variant> variants) {
  return negotiate(preferences(fields), variants);
}

std::optional<std::string_view> best_coding(std::optional<std::string_view> accept_encoding,
                                            std::span<const std::string_view> available) {
  std::optional<std::vector<weighted_value>> list;
  if (accept_encoding) list = parse_accept_encoding(*accept_encoding);
  std::optional<std::string_view> best;
  qvalue best_q = 0;
  bool identity_listed = false;
  auto consider = [&](std::string_view coding) {
    qvalue q = coding_preference(list, coding);
    if (q > best_q) {
      best_q = q;
      best = coding;
    }
  };
  for (std::string_view coding : available) {
    identity_listed = identity_listed || is_identity(coding);
    consider(coding);
  }
  if (!identity_listed) consider("identity");
  return best;
}

}  // namespace herald::core
