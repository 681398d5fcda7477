#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <fstream>
#include <herald/core/status.hpp>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

using herald::test::case_name;
using herald::test::PrintTo;

// ---------------------------------------------------------------------------------------------
// Helpers

struct iana_entry {
  std::string reason;     // as the registry writes it, "(Unused)" included
  std::string reference;  // the registry's "defined in" column
};

// tests/data/iana-http-status-codes.tsv: a header line, then "code<TAB>reason<TAB>defined in".
std::map<int, iana_entry> read_iana_registry() {
  std::map<int, iana_entry> rows;
  std::ifstream in(HERALD_SOURCE_DIR "/tests/data/iana-http-status-codes.tsv");
  std::string line;
  if (!std::getline(in, line)) return rows;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto tab1 = line.find('\t');
    const auto tab2 = line.find('\t', tab1 + 1);
    if (tab1 == std::string::npos || tab2 == std::string::npos) {
      ADD_FAILURE() << "malformed registry line: " << line;
      continue;
    }
    rows[std::stoi(line.substr(0, tab1))] = {line.substr(tab1 + 1, tab2 - tab1 - 1),
                                             line.substr(tab2 + 1)};
  }
  return rows;
}

bool is_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool is_printable_ascii(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= 0x20 && c < 0x7f; });
}

// RFC 9112 §4: reason-phrase = 1*( HTAB / SP / VCHAR / obs-text ).
bool is_reason_phrase(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u == '\t' || u == ' ' || (u >= 0x21 && u <= 0x7e) || u >= 0x80;
  });
}

constexpr response_field all_fields[] = {
    response_field::location,
    response_field::allow,
    response_field::www_authenticate,
    response_field::proxy_authenticate,
    response_field::content_range,
    response_field::retry_after,
    response_field::upgrade,
    response_field::link_blocked_by,
    response_field::accept,
    response_field::accept_encoding,
    response_field::content_location,
    response_field::etag,
    response_field::date,
    response_field::vary,
    response_field::cache_control,
    response_field::expires,
};
static_assert(std::size(all_fields) == response_field_count);

// "Location, Allow" for readable failure messages; "" for none.
std::string field_names(response_fields fields) {
  std::string out;
  for (response_field f : all_fields) {
    if (!fields.contains(f)) continue;
    if (!out.empty()) out += ", ";
    out += to_string(f);
  }
  return out;
}

std::set<int> codes_where(bool (*pred)(const status_info&)) {
  std::set<int> codes;
  for (const status_info& s : all_statuses())
    if (pred(s)) codes.insert(s.code);
  return codes;
}

// ---------------------------------------------------------------------------------------------
// The table against the IANA registry

TEST(StatusRegistryIana, RegistryFileIsReadable) {
  const auto registry = read_iana_registry();
  // The registry held 63 codes when tests/data was taken; an empty map means the file was not
  // found, which must not let the comparisons below pass vacuously.
  EXPECT_EQ(registry.size(), 63u);
}

TEST(StatusRegistryIana, OfficialCodesAreExactlyTheRegistry) {
  const auto registry = read_iana_registry();
  ASSERT_FALSE(registry.empty());
  std::set<int> expected;
  for (const auto& [code, entry] : registry) expected.insert(code);
  EXPECT_EQ(codes_where([](const status_info& s) { return s.official(); }), expected);
}

TEST(StatusRegistryIana, ReasonStandingAndReferenceMatchTheRegistry) {
  const auto registry = read_iana_registry();
  ASSERT_FALSE(registry.empty());
  for (const auto& [code, entry] : registry) {
    SCOPED_TRACE(code);
    const status_info* info = find_status(code);
    ASSERT_NE(info, nullptr);
    EXPECT_TRUE(info->official());
    EXPECT_EQ(info->reference, entry.reference);

    // The registry marks 306 and 418 "(Unused)" and 510 "(OBSOLETED)"; herald keeps the phrase
    // it sends and records the mark as the standing.
    std::string reason = entry.reason;
    status_standing standing = status_standing::current;
    if (reason == "(Unused)") {
      reason = code == 306 ? "Switch Proxy" : code == 418 ? "I'm a teapot" : "?";
      standing = status_standing::unused;
    } else if (const auto mark = reason.find(" (OBSOLETED)"); mark != std::string::npos) {
      reason.erase(mark);
      standing = status_standing::obsoleted;
    } else if (code == 305) {
      standing = status_standing::deprecated;  // RFC 9110 §15.4.6
    }
    EXPECT_EQ(info->reason, reason);
    EXPECT_EQ(info->standing, standing) << to_string(info->standing);
  }
}

TEST(StatusRegistryIana, EveryRegistryReferenceIsAnRfc) {
  for (const status_info& s : all_statuses()) {
    if (!s.official()) continue;
    EXPECT_TRUE(s.reference.starts_with("RFC ")) << s.code << ": " << s.reference;
    EXPECT_TRUE(s.origin.empty()) << s.code;
  }
}

// ---------------------------------------------------------------------------------------------
// Invariants of every row

TEST(StatusRegistryRows, SortedByCodeWithTheIanaMeaningFirst) {
  const auto all = all_statuses();
  ASSERT_FALSE(all.empty());
  for (std::size_t i = 1; i < all.size(); ++i) {
    EXPECT_LE(all[i - 1].code, all[i].code) << i;
    if (all[i - 1].code == all[i].code) {
      EXPECT_FALSE(all[i].official()) << all[i].code;
    }
  }
}

TEST(StatusRegistryRows, EveryRowHasBothSummaries) {
  for (const status_info& s : all_statuses()) {
    SCOPED_TRACE(s.code);
    EXPECT_FALSE(s.summary_en.empty());
    EXPECT_TRUE(is_printable_ascii(s.summary_en)) << s.summary_en;
    EXPECT_FALSE(s.summary_zh.empty());
    // A Chinese summary made only of ASCII is an untranslated one.
    EXPECT_FALSE(is_ascii(s.summary_zh)) << s.summary_zh;
  }
}

TEST(StatusRegistryRows, ReasonsAreValidOnTheWire) {
  for (const status_info& s : all_statuses()) {
    EXPECT_TRUE(is_reason_phrase(s.reason)) << s.code;
    EXPECT_TRUE(is_printable_ascii(s.reason)) << s.code;
  }
}

TEST(StatusRegistryRows, FormerReasonsArePackedAndDistinct) {
  for (const status_info& s : all_statuses()) {
    SCOPED_TRACE(s.code);
    bool ended = false;
    std::set<std::string_view> seen{s.reason};
    for (std::string_view former : s.former_reasons) {
      if (former.empty()) {
        ended = true;
        continue;
      }
      EXPECT_FALSE(ended) << "gap before " << former;
      EXPECT_TRUE(is_reason_phrase(former)) << former;
      EXPECT_TRUE(seen.insert(former).second) << "repeated " << former;
    }
  }
}

TEST(StatusRegistryRows, UnofficialRowsNameTheirOriginAndSource) {
  for (const status_info& s : all_statuses()) {
    if (s.official()) continue;
    SCOPED_TRACE(s.code);
    EXPECT_EQ(s.standing, status_standing::unofficial);
    EXPECT_FALSE(s.origin.empty());
    EXPECT_FALSE(s.reference.empty());
    EXPECT_FALSE(s.heuristically_cacheable);
    EXPECT_TRUE(s.required_fields.empty());
  }
}

TEST(StatusRegistryRows, RequiredAndRecommendedFieldsDoNotOverlap) {
  for (const status_info& s : all_statuses())
    EXPECT_EQ(s.required_fields.bits() & s.recommended_fields.bits(), 0) << s.code;
}

TEST(StatusRegistryRows, ReactionsAgreeWithTheClass) {
  for (const status_info& s : all_statuses()) {
    SCOPED_TRACE(s.code);
    EXPECT_EQ(s.klass(), class_of(s.code));
    if (s.code == 101)
      EXPECT_EQ(s.reaction, client_reaction::switch_protocol);
    else if (s.klass() == status_class::informational)
      EXPECT_EQ(s.reaction, client_reaction::await_final);
    else if (s.klass() == status_class::successful)
      EXPECT_EQ(s.reaction, client_reaction::succeed);
    else
      EXPECT_NE(s.reaction, client_reaction::succeed);
  }
}

TEST(StatusRegistryRows, KnownUnofficialCodesArePresent) {
  const std::set<int> expected{218, 419, 420, 430, 440, 444, 449, 450, 451, 460, 463,
                               464, 494, 495, 496, 497, 498, 499, 509, 520, 521, 522,
                               523, 524, 525, 526, 527, 529, 530, 561, 598, 599};
  EXPECT_EQ(codes_where([](const status_info& s) { return !s.official(); }), expected);
}

// ---------------------------------------------------------------------------------------------
// Lookups

TEST(StatusRegistryLookup, FindStatusGivesTheIanaMeaning) {
  const status_info* not_found = find_status(404);
  ASSERT_NE(not_found, nullptr);
  EXPECT_EQ(not_found->code, 404);
  EXPECT_EQ(not_found->reason, "Not Found");
  EXPECT_EQ(find_status(status::not_found), not_found);

  ASSERT_NE(find_status(451), nullptr);
  EXPECT_EQ(find_status(451)->reason, "Unavailable For Legal Reasons");
  EXPECT_TRUE(find_status(451)->official());
  ASSERT_NE(find_status(420), nullptr);
  EXPECT_EQ(find_status(420)->origin, "Spring Framework");
}

TEST(StatusRegistryLookup, FindStatusOfUnknownOrOutOfRangeCodesIsNull) {
  for (int code : {0, -1, 99, 199, 299, 471, 600, 999, 1000, 65535 + 200})
    EXPECT_EQ(find_status(code), nullptr) << code;
}

TEST(StatusRegistryLookup, CodesWithTwoMeanings) {
  struct expected_pair {
    int code;
    std::string_view first, second;
  };
  for (const expected_pair& e :
       {expected_pair{420, "Method Failure", "Enhance Your Calm"},
        {430, "Request Header Fields Too Large", "Shopify Security Rejection"},
        {451, "Unavailable For Legal Reasons", "Redirect"},
        {499, "Client Closed Request", "Token Required"}}) {
    SCOPED_TRACE(e.code);
    const auto all = meanings(e.code);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].reason, e.first);
    EXPECT_EQ(all[1].reason, e.second);
    EXPECT_EQ(&all[0], find_status(e.code));
  }
  EXPECT_EQ(meanings(451)[1].origin, "Microsoft Exchange ActiveSync (IIS)");
  EXPECT_EQ(meanings(420)[1].reaction, client_reaction::retry_later);
  EXPECT_EQ(meanings(499)[1].origin, "Esri ArcGIS Server");
}

TEST(StatusRegistryLookup, MeaningsCoverEveryRowExactlyOnce) {
  std::size_t total = 0;
  for (int code = 100; code <= 599; ++code) {
    const auto all = meanings(code);
    total += all.size();
    for (const status_info& s : all) EXPECT_EQ(s.code, code);
    EXPECT_EQ(find_status(code), all.empty() ? nullptr : &all.front()) << code;
  }
  EXPECT_EQ(total, all_statuses().size());
  EXPECT_EQ(meanings(404).size(), 1u);
  EXPECT_TRUE(meanings(471).empty());
  EXPECT_TRUE(meanings(99).empty());
  EXPECT_TRUE(meanings(600).empty());
  EXPECT_TRUE(meanings(-404).empty());
}

TEST(StatusRegistryLookup, EveryNamedStatusIsAnOfficialRow) {
  const std::pair<status, std::string_view> named[] = {
      {status::continue_, "Continue"},
      {status::switching_protocols, "Switching Protocols"},
      {status::processing, "Processing"},
      {status::early_hints, "Early Hints"},
      {status::ok, "OK"},
      {status::created, "Created"},
      {status::accepted, "Accepted"},
      {status::non_authoritative_information, "Non-Authoritative Information"},
      {status::no_content, "No Content"},
      {status::reset_content, "Reset Content"},
      {status::partial_content, "Partial Content"},
      {status::multi_status, "Multi-Status"},
      {status::already_reported, "Already Reported"},
      {status::im_used, "IM Used"},
      {status::multiple_choices, "Multiple Choices"},
      {status::moved_permanently, "Moved Permanently"},
      {status::found, "Found"},
      {status::see_other, "See Other"},
      {status::not_modified, "Not Modified"},
      {status::use_proxy, "Use Proxy"},
      {status::unused_306, "Switch Proxy"},
      {status::temporary_redirect, "Temporary Redirect"},
      {status::permanent_redirect, "Permanent Redirect"},
      {status::bad_request, "Bad Request"},
      {status::unauthorized, "Unauthorized"},
      {status::payment_required, "Payment Required"},
      {status::forbidden, "Forbidden"},
      {status::not_found, "Not Found"},
      {status::method_not_allowed, "Method Not Allowed"},
      {status::not_acceptable, "Not Acceptable"},
      {status::proxy_authentication_required, "Proxy Authentication Required"},
      {status::request_timeout, "Request Timeout"},
      {status::conflict, "Conflict"},
      {status::gone, "Gone"},
      {status::length_required, "Length Required"},
      {status::precondition_failed, "Precondition Failed"},
      {status::content_too_large, "Content Too Large"},
      {status::uri_too_long, "URI Too Long"},
      {status::unsupported_media_type, "Unsupported Media Type"},
      {status::range_not_satisfiable, "Range Not Satisfiable"},
      {status::expectation_failed, "Expectation Failed"},
      {status::unused_418, "I'm a teapot"},
      {status::misdirected_request, "Misdirected Request"},
      {status::unprocessable_content, "Unprocessable Content"},
      {status::locked, "Locked"},
      {status::failed_dependency, "Failed Dependency"},
      {status::too_early, "Too Early"},
      {status::upgrade_required, "Upgrade Required"},
      {status::precondition_required, "Precondition Required"},
      {status::too_many_requests, "Too Many Requests"},
      {status::request_header_fields_too_large, "Request Header Fields Too Large"},
      {status::unavailable_for_legal_reasons, "Unavailable For Legal Reasons"},
      {status::internal_server_error, "Internal Server Error"},
      {status::not_implemented, "Not Implemented"},
      {status::bad_gateway, "Bad Gateway"},
      {status::service_unavailable, "Service Unavailable"},
      {status::gateway_timeout, "Gateway Timeout"},
      {status::http_version_not_supported, "HTTP Version Not Supported"},
      {status::variant_also_negotiates, "Variant Also Negotiates"},
      {status::insufficient_storage, "Insufficient Storage"},
      {status::loop_detected, "Loop Detected"},
      {status::not_extended, "Not Extended"},
      {status::network_authentication_required, "Network Authentication Required"},
  };
  // One enumerator per registered code.
  EXPECT_EQ(std::size(named), 63u);
  for (const auto& [s, reason] : named) {
    SCOPED_TRACE(to_int(s));
    const status_info* info = find_status(s);
    ASSERT_NE(info, nullptr);
    EXPECT_TRUE(info->official());
    EXPECT_EQ(info->reason, reason);
    EXPECT_EQ(reason_phrase(s), reason);
  }
}

TEST(StatusRegistryLookup, FormerReasonsOfRenamedCodes) {
  using former = std::array<std::string_view, 3>;
  EXPECT_EQ(find_status(302)->former_reasons, (former{"Moved Temporarily", "", ""}));
  EXPECT_EQ(find_status(408)->former_reasons, (former{"Request Time-out", "", ""}));
  EXPECT_EQ(find_status(413)->former_reasons,
            (former{"Payload Too Large", "Request Entity Too Large", ""}));
  EXPECT_EQ(find_status(414)->former_reasons,
            (former{"Request-URI Too Long", "Request-URI Too Large", ""}));
  EXPECT_EQ(find_status(416)->former_reasons,
            (former{"Requested Range Not Satisfiable", "Requested range not satisfiable", ""}));
  EXPECT_EQ(find_status(422)->former_reasons, (former{"Unprocessable Entity", "", ""}));
  EXPECT_EQ(find_status(504)->former_reasons, (former{"Gateway Time-out", "", ""}));
  EXPECT_EQ(find_status(505)->former_reasons, (former{"HTTP Version not supported", "", ""}));
  EXPECT_EQ(find_status(203)->former_reasons, (former{}));
  EXPECT_EQ(find_status(102)->former_reasons, (former{}));
}

TEST(StatusRegistryLookup, StandingOfSpecialCodes) {
  EXPECT_EQ(find_status(305)->standing, status_standing::deprecated);
  EXPECT_EQ(find_status(306)->standing, status_standing::unused);
  EXPECT_EQ(find_status(418)->standing, status_standing::unused);
  EXPECT_EQ(find_status(510)->standing, status_standing::obsoleted);
  EXPECT_EQ(find_status(200)->standing, status_standing::current);
  EXPECT_EQ(find_status(444)->standing, status_standing::unofficial);
  EXPECT_EQ(to_string(status_standing::obsoleted), "obsoleted");
}

// reason_phrase ---------------------------------------------------------------------------------

struct reason_case {
  const char* name;
  int code;
  std::string_view expected;
};

class StatusReasonPhrase : public testing::TestWithParam<reason_case> {};

TEST_P(StatusReasonPhrase, IsExactly) {
  EXPECT_EQ(reason_phrase(GetParam().code), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    Cases, StatusReasonPhrase,
    testing::Values(reason_case{"Ok200", 200, "OK"}, reason_case{"NotFound404", 404, "Not Found"},
                    reason_case{"Found302", 302, "Found"},
                    reason_case{"Content413", 413, "Content Too Large"},
                    reason_case{"Unused306SendsSwitchProxy", 306, "Switch Proxy"},
                    reason_case{"Unused418SendsTeapot", 418, "I'm a teapot"},
                    reason_case{"Obsoleted510DropsTheMark", 510, "Not Extended"},
                    reason_case{"Iana451BeatsExchange", 451, "Unavailable For Legal Reasons"},
                    reason_case{"Unofficial420FirstMeaning", 420, "Method Failure"},
                    reason_case{"Unofficial499Nginx", 499, "Client Closed Request"},
                    reason_case{"Unofficial599", 599, "Network Connect Timeout Error"},
                    reason_case{"Unknown199FallsBackTo100", 199, "Continue"},
                    reason_case{"Unknown299FallsBackTo200", 299, "OK"},
                    reason_case{"Unknown399FallsBackTo300", 399, "Multiple Choices"},
                    reason_case{"Unknown471FallsBackTo400", 471, "Bad Request"},
                    reason_case{"Unknown597FallsBackTo500", 597, "Internal Server Error"},
                    reason_case{"Below100IsEmpty", 99, ""}, reason_case{"ZeroIsEmpty", 0, ""},
                    reason_case{"NegativeIsEmpty", -200, ""},
                    reason_case{"Above599IsEmpty", 600, ""},
                    reason_case{"FarAboveIsEmpty", 1200, ""}),
    case_name);

// reaction_to -----------------------------------------------------------------------------------

struct reaction_case {
  const char* name;
  int code;
  client_reaction expected;
};

class StatusReaction : public testing::TestWithParam<reaction_case> {};

TEST_P(StatusReaction, IsExactly) {
  const client_reaction got = reaction_to(GetParam().code);
  EXPECT_EQ(got, GetParam().expected) << to_string(got);
}

using enum client_reaction;

INSTANTIATE_TEST_SUITE_P(
    Cases, StatusReaction,
    testing::Values(
        reaction_case{"Continue100", 100, await_final},
        reaction_case{"Switching101", 101, switch_protocol},
        reaction_case{"Processing102", 102, await_final},
        reaction_case{"EarlyHints103", 103, await_final},
        reaction_case{"Unknown1xxIsInterim", 150, await_final},
        reaction_case{"Ok200", 200, succeed}, reaction_case{"NoContent204", 204, succeed},
        reaction_case{"Partial206", 206, succeed},
        reaction_case{"Unknown299ActsAs200", 299, succeed},
        reaction_case{"MultipleChoices300", 300, choose_variant},
        reaction_case{"Moved301", 301, follow_post_to_get},
        reaction_case{"Found302", 302, follow_post_to_get},
        reaction_case{"SeeOther303", 303, follow_as_get},
        reaction_case{"NotModified304", 304, use_cached},
        reaction_case{"UseProxy305", 305, never_follow},
        reaction_case{"Unused306", 306, never_follow},
        reaction_case{"Temporary307", 307, follow_same_method},
        reaction_case{"Permanent308", 308, follow_same_method},
        reaction_case{"Unknown399ActsAs300", 399, choose_variant},
        reaction_case{"BadRequest400", 400, fail},
        reaction_case{"Unauthorized401", 401, answer_challenge},
        reaction_case{"Forbidden403", 403, fail},
        reaction_case{"ProxyAuth407", 407, answer_proxy_challenge},
        reaction_case{"Timeout408", 408, retry_idempotent},
        reaction_case{"Expectation417", 417, retry_without_expect},
        reaction_case{"Misdirected421", 421, retry_new_connection},
        reaction_case{"TooEarly425", 425, retry_after_handshake},
        reaction_case{"UpgradeRequired426", 426, fail},
        reaction_case{"TooMany429", 429, retry_later}, reaction_case{"Legal451", 451, fail},
        reaction_case{"Unknown471ActsAs400", 471, fail},
        reaction_case{"Spring420FirstMeaning", 420, fail}, reaction_case{"Internal500", 500, fail},
        reaction_case{"Unavailable503", 503, retry_later},
        reaction_case{"GatewayTimeout504", 504, fail}, reaction_case{"Qualys529", 529, retry_later},
        reaction_case{"Unknown555ActsAs500", 555, fail},
        reaction_case{"OutOfRangeFails", 600, fail}, reaction_case{"NegativeFails", -1, fail}),
    case_name);

// Fields ----------------------------------------------------------------------------------------

struct fields_case {
  const char* name;
  int code;
  response_fields required;
  response_fields recommended;
};

class StatusFields : public testing::TestWithParam<fields_case> {};

TEST_P(StatusFields, AreExactly) {
  const status_info* info = find_status(GetParam().code);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(field_names(info->required_fields), field_names(GetParam().required));
  EXPECT_EQ(field_names(info->recommended_fields), field_names(GetParam().recommended));
}

using enum response_field;

INSTANTIATE_TEST_SUITE_P(
    Cases, StatusFields,
    testing::Values(
        // RFC 9110 §15.2.2 and §15.5.22: MUST send Upgrade.
        fields_case{"Switching101", 101, upgrade, {}}, fields_case{"Ok200", 200, {}, {}},
        fields_case{"Created201", 201, {}, location}, fields_case{"NoContent204", 204, {}, {}},
        fields_case{"Partial206",
                    206,
                    content_range | date | cache_control | etag | expires | content_location | vary,
                    {}},
        fields_case{"ImUsed226", 226, etag, {}},
        fields_case{"MultipleChoices300", 300, {}, location},
        fields_case{"Moved301", 301, {}, location}, fields_case{"Found302", 302, {}, location},
        fields_case{"SeeOther303", 303, {}, location},
        fields_case{"NotModified304",
                    304,
                    date | etag | content_location | cache_control | expires | vary,
                    {}},
        fields_case{"UseProxy305", 305, {}, {}}, fields_case{"Temporary307", 307, {}, location},
        fields_case{"Permanent308", 308, {}, location},
        fields_case{"Unauthorized401", 401, www_authenticate, {}},
        fields_case{"NotFound404", 404, {}, {}}, fields_case{"MethodNotAllowed405", 405, allow, {}},
        fields_case{"ProxyAuth407", 407, proxy_authenticate, {}},
        fields_case{"ContentTooLarge413", 413, {}, retry_after},
        fields_case{"UnsupportedMedia415", 415, {}, accept | accept_encoding},
        fields_case{"RangeNotSatisfiable416", 416, {}, content_range},
        fields_case{"UpgradeRequired426", 426, upgrade, {}},
        fields_case{"TooMany429", 429, {}, retry_after},
        fields_case{"Legal451", 451, {}, link_blocked_by},
        fields_case{"Unavailable503", 503, {}, retry_after},
        fields_case{"NetworkAuth511", 511, {}, {}}),
    case_name);

TEST(StatusFieldNames, EveryFieldHasADistinctName) {
  std::set<std::string_view> names;
  for (response_field f : all_fields) {
    EXPECT_FALSE(to_string(f).empty());
    EXPECT_TRUE(names.insert(to_string(f)).second) << to_string(f);
  }
  EXPECT_EQ(to_string(www_authenticate), "WWW-Authenticate");
  EXPECT_EQ(to_string(etag), "ETag");
}

// Class and content -----------------------------------------------------------------------------

TEST(StatusClass, FirstDigitWithinRange) {
  EXPECT_EQ(class_of(100), status_class::informational);
  EXPECT_EQ(class_of(199), status_class::informational);
  EXPECT_EQ(class_of(200), status_class::successful);
  EXPECT_EQ(class_of(308), status_class::redirection);
  EXPECT_EQ(class_of(451), status_class::client_error);
  EXPECT_EQ(class_of(599), status_class::server_error);
  EXPECT_EQ(class_of(99), std::nullopt);
  EXPECT_EQ(class_of(600), std::nullopt);
  EXPECT_EQ(class_of(0), std::nullopt);
  EXPECT_EQ(class_of(-404), std::nullopt);
  EXPECT_EQ(to_string(status_class::client_error), "Client Error");
  EXPECT_EQ(to_string(status_class::informational), "Informational");
}

TEST(StatusClass, EffectiveCodeIsTheClassX00) {
  // RFC 9110 §15: an unrecognised code is treated as the x00 code of its class.
  EXPECT_EQ(effective_code(471), 400);
  EXPECT_EQ(effective_code(299), 200);
  EXPECT_EQ(effective_code(100), 100);
  EXPECT_EQ(effective_code(404), 400);
  EXPECT_EQ(effective_code(599), 500);
  EXPECT_EQ(effective_code(99), std::nullopt);
  EXPECT_EQ(effective_code(600), std::nullopt);
  EXPECT_EQ(effective_code(-100), std::nullopt);
}

TEST(StatusContent, NoContentByDefinition) {
  // RFC 9112 §6.3 rule 1: 1xx, 204 and 304 end with their header section.
  for (int code : {100, 101, 102, 103, 150, 199, 204, 304})
    EXPECT_TRUE(has_no_content_by_definition(code)) << code;
  for (int code : {99, 200, 205, 206, 300, 303, 404, 500, 600})
    EXPECT_FALSE(has_no_content_by_definition(code)) << code;
}

TEST(StatusContent, ContentForbiddenAddsOnly205) {
  EXPECT_TRUE(content_forbidden(205));  // RFC 9110 §15.3.6
  EXPECT_FALSE(has_no_content_by_definition(205));
  for (int code = 0; code <= 700; ++code)
    EXPECT_EQ(content_forbidden(code), has_no_content_by_definition(code) || code == 205) << code;
}

TEST(StatusCaching, HeuristicallyCacheableSetIsExact) {
  // RFC 9110 §15.1 and RFC 7725 §3 (451).
  const std::set<int> expected{200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 451, 501};
  EXPECT_EQ(codes_where([](const status_info& s) { return s.heuristically_cacheable; }), expected);
}

TEST(StatusToString, EveryReactionHasASentence) {
  for (client_reaction r :
       {await_final, switch_protocol, succeed, choose_variant, follow_post_to_get, follow_as_get,
        follow_same_method, never_follow, use_cached, answer_challenge, answer_proxy_challenge,
        retry_idempotent, retry_without_expect, retry_after_handshake, retry_later,
        retry_new_connection, fail})
    EXPECT_FALSE(to_string(r).empty()) << static_cast<int>(r);
}

// ---------------------------------------------------------------------------------------------
// IIS sub-status codes

TEST(IisSubstatus, DocumentedEntriesAreFound) {
  struct expected_entry {
    int code, sub;
    std::string_view contains;
  };
  for (const expected_entry& e : {expected_entry{400, 1, "Destination"},
                                  {401, 1, "Logon failed"},
                                  {403, 14, "Directory listing denied"},
                                  {404, 0, "Not found"},
                                  {404, 3, "MIME map policy prevents this request"},
                                  {404, 11, "double escape"},
                                  {404, 15, "Query string too long"},
                                  {404, 20, "URL segments"},
                                  {500, 19, "Configuration data is invalid"},
                                  {502, 3, "forwarder connection error"},
                                  {503, 0, "Application pool unavailable"}}) {
    SCOPED_TRACE(std::to_string(e.code) + "." + std::to_string(e.sub));
    const iis_substatus* found = find_iis_substatus(e.code, e.sub);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->code, e.code);
    EXPECT_EQ(found->sub, e.sub);
    EXPECT_NE(found->meaning_en.find(e.contains), std::string_view::npos) << found->meaning_en;
  }
}

TEST(IisSubstatus, UndocumentedPairsAreNull) {
  EXPECT_EQ(find_iis_substatus(404, 21), nullptr);
  EXPECT_EQ(find_iis_substatus(404, 999), nullptr);
  EXPECT_EQ(find_iis_substatus(403, 23), nullptr);
  EXPECT_EQ(find_iis_substatus(503, 1), nullptr);
  EXPECT_EQ(find_iis_substatus(200, 0), nullptr);
  EXPECT_EQ(find_iis_substatus(999, 1), nullptr);
  EXPECT_EQ(find_iis_substatus(-404, 3), nullptr);
  EXPECT_EQ(find_iis_substatus(404, -3), nullptr);
}

TEST(IisSubstatus, SubstatusesOfOneCodeAreSortedAndOnlyThatCode) {
  const auto of404 = iis_substatuses_of(404);
  ASSERT_FALSE(of404.empty());
  EXPECT_EQ(of404.front().sub, 0);
  for (std::size_t i = 0; i < of404.size(); ++i) {
    EXPECT_EQ(of404[i].code, 404);
    if (i > 0) {
      EXPECT_LT(of404[i - 1].sub, of404[i].sub);
    }
  }
  EXPECT_EQ(find_iis_substatus(404, 3), &of404[3]);
  EXPECT_TRUE(iis_substatuses_of(200).empty());
  EXPECT_TRUE(iis_substatuses_of(0).empty());
  EXPECT_TRUE(iis_substatuses_of(1000).empty());
}

TEST(IisSubstatus, EveryEntryIsWellFormed) {
  const auto all = all_iis_substatuses();
  ASSERT_FALSE(all.empty());
  std::size_t total = 0;
  for (std::size_t i = 0; i < all.size(); ++i) {
    const iis_substatus& e = all[i];
    SCOPED_TRACE(std::to_string(e.code) + "." + std::to_string(e.sub));
    if (i > 0) {
      EXPECT_LT(std::pair(all[i - 1].code, all[i - 1].sub), std::pair(e.code, e.sub));
    }
    // A sub-status refines an error status herald knows.
    ASSERT_NE(find_status(e.code), nullptr);
    EXPECT_TRUE(find_status(e.code)->official());
    EXPECT_GE(e.code, 400);
    EXPECT_FALSE(e.meaning_en.empty());
    EXPECT_TRUE(is_printable_ascii(e.meaning_en)) << e.meaning_en;
    EXPECT_FALSE(e.meaning_zh.empty());
    EXPECT_FALSE(is_ascii(e.meaning_zh)) << e.meaning_zh;
    EXPECT_EQ(find_iis_substatus(e.code, e.sub), &e);
  }
  for (int code = 100; code <= 599; ++code) total += iis_substatuses_of(code).size();
  EXPECT_EQ(total, all.size());
}

}  // namespace
}  // namespace herald::core
