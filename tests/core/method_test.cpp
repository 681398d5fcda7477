#include <herald/core/method.hpp>

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace herald::core {
namespace {

TEST(Method, ParsesEveryRegisteredNameBackToItsEnum) {
  for (const method_info& m : all_methods()) {
    auto parsed = parse_method(m.name);
    ASSERT_TRUE(parsed) << m.name;
    EXPECT_EQ(*parsed, m.id);
    EXPECT_EQ(to_string(m.id), m.name);
  }
}

TEST(Method, NamesAreCaseSensitive) {
  // RFC 9110 §9.1: "The method token is case-sensitive".
  EXPECT_FALSE(parse_method("get"));
  EXPECT_FALSE(parse_method("Get"));
  EXPECT_FALSE(parse_method("propfind"));
  EXPECT_EQ(parse_method("PROPFIND"), method::propfind);
}

TEST(Method, UnknownAndMalformedNamesAreNotMethods) {
  EXPECT_FALSE(parse_method(""));
  EXPECT_FALSE(parse_method("BREW"));
  EXPECT_FALSE(parse_method("GET "));
  EXPECT_FALSE(parse_method(std::string(1000, 'G')));
  EXPECT_FALSE(parse_method(std::string_view("GET\0", 4)));
}

TEST(Method, SafeMethodsAreExactlyTheRegisteredOnes) {
  std::set<std::string_view> safe;
  for (const method_info& m : all_methods())
    if (m.safe) safe.insert(m.name);
  EXPECT_EQ(safe, (std::set<std::string_view>{"GET", "HEAD", "OPTIONS", "PRI", "PROPFIND",
                                              "REPORT", "SEARCH", "TRACE"}));
}

TEST(Method, NonIdempotentMethodsAreExactlyTheRegisteredOnes) {
  std::set<std::string_view> not_idempotent;
  for (const method_info& m : all_methods())
    if (!m.idempotent) not_idempotent.insert(m.name);
  EXPECT_EQ(not_idempotent, (std::set<std::string_view>{"CONNECT", "LOCK", "PATCH", "POST"}));
}

TEST(Method, SafeImpliesIdempotent) {
  // RFC 9110 §9.2.2: "safe request methods are idempotent".
  for (const method_info& m : all_methods())
    if (m.safe) {
      EXPECT_TRUE(m.idempotent) << m.name;
    }
}

TEST(Method, CacheableMethodsAreGetHeadAndPost) {
  std::set<std::string_view> cacheable;
  for (const method_info& m : all_methods())
    if (m.cacheable) cacheable.insert(m.name);
  EXPECT_EQ(cacheable, (std::set<std::string_view>{"GET", "HEAD", "POST"}));
}

TEST(Method, LongestNameBoundsEveryName) {
  for (const method_info& m : all_methods()) EXPECT_LE(m.name.size(), longest_method_name);
  EXPECT_EQ(parse_method("UPDATEREDIRECTREF"), method::updateredirectref);
}

}  // namespace
}  // namespace herald::core
