#include "cli/status_command.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <array>
#include <sstream>
#include <string>

#include "cli/app.hpp"
#include "support/test_cases.hpp"
#include <herald/core/status.hpp>

namespace herald::cli {
namespace {

using herald::test::case_name;
using kind = status_query::kind;

struct classify_case {
  std::string name;
  std::string query;
  kind what;
  int code;
  int sub;
};

class ClassifyStatusQuery : public testing::TestWithParam<classify_case> {};

TEST_P(ClassifyStatusQuery, Classifies) {
  const classify_case& c = GetParam();
  status_query q = classify_status_query(c.query);
  EXPECT_EQ(q.what, c.what);
  if (c.what != kind::invalid && c.what != kind::search) {
    EXPECT_EQ(q.code, c.code);
    EXPECT_EQ(q.sub, c.sub);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Queries, ClassifyStatusQuery,
    testing::Values(classify_case{"Empty", "", kind::list, 0, 0},
                    classify_case{"Code", "404", kind::code, 404, 0},
                    classify_case{"LowestCode", "100", kind::code, 100, 0},
                    classify_case{"HighestCode", "599", kind::code, 599, 0},
                    classify_case{"BelowRange", "099", kind::invalid, 0, 0},
                    classify_case{"AboveRange", "600", kind::invalid, 0, 0},
                    classify_case{"FourDigits", "4040", kind::invalid, 0, 0},
                    classify_case{"TwoDigits", "40", kind::invalid, 0, 0},
                    classify_case{"Class", "4xx", kind::status_class, 4, 0},
                    classify_case{"ClassUpperCase", "5XX", kind::status_class, 5, 0},
                    classify_case{"ClassOutOfRange", "6xx", kind::invalid, 0, 0},
                    classify_case{"ClassZero", "0xx", kind::invalid, 0, 0},
                    classify_case{"IisSubstatus", "404.3", kind::iis_substatus, 404, 3},
                    classify_case{"IisTwoDigitSub", "500.19", kind::iis_substatus, 500, 19},
                    classify_case{"IisBadCode", "40.3", kind::invalid, 0, 0},
                    classify_case{"IisHugeSub", "404.99999", kind::invalid, 0, 0},
                    classify_case{"Word", "teapot", kind::search, 0, 0},
                    classify_case{"Words", "too many", kind::search, 0, 0},
                    classify_case{"Dotted", "a.b", kind::search, 0, 0}),
    case_name);

struct run_result {
  int exit_code;
  std::string out;
  std::string err;
};

run_result herald(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"herald"};
  argv.insert(argv.end(), args.begin(), args.end());
  std::ostringstream out, err;
  int code = run(static_cast<int>(argv.size()), argv.data(), out, err);
  return {code, out.str(), err.str()};
}

TEST(StatusCommand, ExplainsACode) {
  auto r = herald({"status", "404"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("404 Not Found\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("RFC 9110 §15.5.5"), std::string::npos);
  EXPECT_EQ(r.err, "");
}

TEST(StatusCommand, ShowsEveryMeaningOfACodeWithSeveral) {
  auto r = herald({"status", "420"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Enhance Your Calm"), std::string::npos);
  EXPECT_NE(r.out.find("Method Failure"), std::string::npos);
}

TEST(StatusCommand, UnknownCodeSaysWhatAClientAssumesAndFails) {
  auto r = herald({"status", "471"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("treats it as 400 Bad Request"), std::string::npos) << r.out;
}

TEST(StatusCommand, InvalidCodeIsAOneLineUsageError) {
  auto r = herald({"status", "700"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

TEST(StatusCommand, ListsAClass) {
  auto r = herald({"status", "3xx"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("308  Permanent Redirect"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("404"), std::string::npos);
}

TEST(StatusCommand, ExplainsAnIisSubstatus) {
  auto r = herald({"status", "404.3"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("MIME map"), std::string::npos);
  auto missing = herald({"status", "404.999"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("404.999"), std::string::npos);
}

TEST(StatusCommand, SearchesNamesAndDescriptions) {
  auto r = herald({"status", "teapot"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("418"), std::string::npos) << r.out;
  auto none = herald({"status", "xylophone"});
  EXPECT_EQ(none.exit_code, 1);
}

TEST(StatusCommand, ListsEverything) {
  auto r = herald({"status", "--list"});
  EXPECT_EQ(r.exit_code, 0);
  for (const char* expected : {"100  Continue", "200  OK", "308  Permanent Redirect",
                               "451  Unavailable For Legal Reasons", "511  Network"})
    EXPECT_NE(r.out.find(expected), std::string::npos) << expected;
}

TEST(StatusCommand, JsonIsValidAndCarriesTheFacts) {
  auto r = herald({"status", "405", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["code"], 405);
  EXPECT_EQ(j["reason"], "Method Not Allowed");
  EXPECT_EQ(j["required_fields"], nlohmann::json::array({"Allow"}));
  EXPECT_EQ(j["heuristically_cacheable"], true);
}

TEST(StatusCommand, JsonListHasEveryEntry) {
  auto r = herald({"status", "--list", "--json"});
  ASSERT_EQ(r.exit_code, 0);
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j.size(), core::all_statuses().size());
}

TEST(StatusCommand, MarkdownTableHasARowPerMeaning) {
  auto r = herald({"status", "--list", "--markdown"});
  ASSERT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("| code | reason |", 0), 0u);
  auto rows = static_cast<std::size_t>(std::count(r.out.begin(), r.out.end(), '\n'));
  EXPECT_EQ(rows, core::all_statuses().size() + 2);
  EXPECT_NE(r.out.find("| 404 | Not Found | RFC 9110 §15.5.5 | current |"), std::string::npos);
  EXPECT_EQ(herald({"status", "--list", "--markdown", "--json"}).exit_code, 2);
}

TEST(StatusCommand, ChineseDescriptions) {
  auto en = herald({"status", "404", "--json"});
  auto zh = herald({"status", "404", "--json", "--lang", "zh"});
  EXPECT_NE(nlohmann::json::parse(en.out)["summary"], nlohmann::json::parse(zh.out)["summary"]);
  auto bad = herald({"status", "404", "--lang", "fr"});
  EXPECT_EQ(bad.exit_code, 2);
}

TEST(StatusCommand, NoColourWhenNotATerminalAndColourOnRequest) {
  auto plain = herald({"status", "404"});
  EXPECT_EQ(plain.out.find('\x1b'), std::string::npos);
  auto coloured = herald({"status", "404", "--color", "always"});
  EXPECT_NE(coloured.out.find('\x1b'), std::string::npos);
}

TEST(StatusCommand, UnknownFlagIsAOneLineError) {
  auto r = herald({"status", "--bogus"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

}  // namespace
}  // namespace herald::cli
