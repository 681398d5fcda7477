// The catalogue of wire-layer errors: every error has a stable token, a sentence that cites
// the rule it breaks, and the status a server answers with.

#include <cstddef>
#include <gtest/gtest.h>
#include <ostream>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <herald/core/status.hpp>
#include <herald/http1/error.hpp>

namespace herald::http1 {
namespace {

// The last enumerator; error.cpp static_asserts that its table ends there too.
constexpr error last_error = error::incomplete_body;

std::vector<error> all_errors() {
  std::vector<error> all;
  for (std::size_t i = 0; i <= static_cast<std::size_t>(last_error); ++i)
    all.push_back(static_cast<error>(i));
  return all;
}

TEST(ErrorCatalogue, TableFollowsTheEnum) {
  for (error e : all_errors()) {
    EXPECT_EQ(info(e).code, e) << "entry " << static_cast<int>(e) << " is " << info(e).token;
  }
}

TEST(ErrorCatalogue, TokensAreUniqueKebabCase) {
  const std::regex kebab("[a-z0-9]+(-[a-z0-9]+)*");
  std::set<std::string_view> seen;
  for (error e : all_errors()) {
    std::string_view t = token(e);
    EXPECT_FALSE(t.empty()) << static_cast<int>(e);
    EXPECT_TRUE(std::regex_match(t.begin(), t.end(), kebab)) << t;
    EXPECT_TRUE(seen.insert(t).second) << "duplicate token " << t;
  }
  EXPECT_EQ(seen.size(), all_errors().size());
}

TEST(ErrorCatalogue, SentencesAreUniqueAndCiteAnRfcSection) {
  const std::regex cites("RFC [0-9]+ §[0-9]+(\\.[0-9]+)*");
  std::set<std::string_view> seen;
  for (error e : all_errors()) {
    std::string_view s = sentence(e);
    EXPECT_FALSE(s.empty()) << token(e);
    EXPECT_NE(s.find("RFC "), std::string_view::npos) << token(e) << ": " << s;
    EXPECT_TRUE(std::regex_search(s.begin(), s.end(), cites)) << token(e) << ": " << s;
    EXPECT_TRUE(seen.insert(s).second) << "duplicate sentence for " << token(e);
    // The sentence goes into error bodies and logs as one line.
    EXPECT_EQ(s.find_first_of("\r\n"), std::string_view::npos) << token(e);
  }
}

TEST(ErrorCatalogue, StatusesAreClientOrServerErrors) {
  for (error e : all_errors()) {
    const int code = core::to_int(status_of(e));
    EXPECT_GE(code, 400) << token(e);
    EXPECT_LE(code, 599) << token(e);
    EXPECT_NE(core::find_status(code), nullptr) << token(e) << " answers an unregistered " << code;
  }
}

TEST(ErrorCatalogue, EveryRejectionClosesTheConnection_RFC9112_9_6) {
  for (error e : all_errors()) EXPECT_TRUE(info(e).close) << token(e);
}

TEST(ErrorCatalogue, AccessorsAgreeWithTheTable) {
  for (error e : all_errors()) {
    EXPECT_EQ(token(e), info(e).token);
    EXPECT_EQ(sentence(e), info(e).sentence);
    EXPECT_EQ(status_of(e), info(e).status);
  }
}

// Errors whose status is not a plain 400: each is a distinct answer the RFCs ask for.
struct status_case {
  std::string name;
  error e;
  core::status expected;
};

std::ostream& operator<<(std::ostream& os, const status_case& c) {
  return os << c.name;
}

class ErrorStatus : public testing::TestWithParam<status_case> {};

TEST_P(ErrorStatus, IsTheOneTheRfcNames) {
  const status_case& c = GetParam();
  EXPECT_EQ(core::to_int(status_of(c.e)), core::to_int(c.expected)) << token(c.e);
}

INSTANTIATE_TEST_SUITE_P(
    Statuses, ErrorStatus,
    testing::Values(status_case{"LongMethodIs501_RFC9112_3", error::method_too_long,
                                core::status::not_implemented},
                    status_case{"LongRequestLineIs414_RFC9112_3", error::request_line_too_long,
                                core::status::uri_too_long},
                    status_case{"OtherMajorVersionIs505_RFC9110_15_6_6", error::unsupported_version,
                                core::status::http_version_not_supported},
                    status_case{"LargeHeaderSectionIs431_RFC6585_5",
                                error::header_section_too_large,
                                core::status::request_header_fields_too_large},
                    status_case{"TooManyFieldsIs431_RFC6585_5", error::too_many_fields,
                                core::status::request_header_fields_too_large},
                    status_case{"UnknownTransferCodingIs501_RFC9112_6_1",
                                error::unknown_transfer_coding, core::status::not_implemented},
                    status_case{"LargeContentIs413_RFC9110_15_5_14", error::content_too_large,
                                core::status::content_too_large},
                    status_case{"LargeTrailerSectionIs431", error::trailer_section_too_large,
                                core::status::request_header_fields_too_large},
                    status_case{"BadStatusLineIs502_RFC9110_15_6_3", error::invalid_status_line,
                                core::status::bad_gateway},
                    status_case{"BareLfIs400", error::bare_lf, core::status::bad_request},
                    status_case{"SmugglingIs400_RFC9112_6_3",
                                error::transfer_encoding_and_content_length,
                                core::status::bad_request},
                    status_case{"MissingHostIs400_RFC9112_3_2", error::missing_host,
                                core::status::bad_request}),
    [](const testing::TestParamInfo<status_case>& i) { return i.param.name; });

}  // namespace
}  // namespace herald::http1
