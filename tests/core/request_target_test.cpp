#include "herald/core/request_target.hpp"

#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <string_view>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

using namespace std::string_view_literals;

using herald::test::case_name;
using herald::test::PrintTo;

// ---------------------------------------------------------------------------------------------
// Valid targets (RFC 9112 §3.2): the form, the routing path and query, and the authority.

struct valid_target_case {
  const char* name;
  std::string_view method;
  std::string_view target;
  target_form form;
  std::string_view path;
  std::optional<std::string_view> query;
  std::optional<std::string_view> scheme = std::nullopt;
  std::optional<std::string_view> host = std::nullopt;
  std::optional<std::uint16_t> port = std::nullopt;
};

class request_target_valid : public testing::TestWithParam<valid_target_case> {};

TEST_P(request_target_valid, classifies_and_splits) {
  const valid_target_case& c = GetParam();
  const target_parse_result r = parse_request_target(c.method, c.target);
  ASSERT_EQ(r.error, target_error::none) << describe(r.error);
  EXPECT_EQ(r.target.form, c.form);
  EXPECT_EQ(r.target.path, c.path);
  EXPECT_EQ(r.target.query, c.query);
  EXPECT_EQ(r.target.components.scheme, c.scheme);
  if (c.host) {
    ASSERT_TRUE(r.target.components.authority.has_value());
    EXPECT_EQ(r.target.components.authority->host, *c.host);
    EXPECT_EQ(r.target.components.authority->port, c.port);
  } else {
    EXPECT_FALSE(r.target.components.authority.has_value());
  }
}

constexpr auto origin = target_form::origin;
constexpr auto absolute = target_form::absolute;
constexpr auto authority = target_form::authority;
constexpr auto asterisk = target_form::asterisk;

INSTANTIATE_TEST_SUITE_P(
    rfc9112, request_target_valid,
    testing::Values(
        valid_target_case{"origin_root", "GET", "/", origin, "/", std::nullopt},
        valid_target_case{"origin_with_query", "GET", "/where?q=now", origin, "/where", "q=now"},
        valid_target_case{"origin_empty_query", "GET", "/p?", origin, "/p", ""},
        valid_target_case{"origin_double_slash_is_a_path", "GET", "//x", origin, "//x",
                          std::nullopt},
        valid_target_case{"origin_query_holds_slash_and_question", "GET", "/p?a/b?c", origin, "/p",
                          "a/b?c"},
        valid_target_case{"origin_percent_encoded", "GET", "/a%20b%2F", origin, "/a%20b%2F",
                          std::nullopt},
        valid_target_case{"origin_every_pchar", "GET", "/a-._~!$&'()*+,;=:@", origin,
                          "/a-._~!$&'()*+,;=:@", std::nullopt},
        valid_target_case{"origin_dot_segments_kept", "GET", "/a/../b", origin, "/a/../b",
                          std::nullopt},
        valid_target_case{"absolute_http", "GET", "http://h/p", absolute, "/p", std::nullopt,
                          "http", "h"},
        valid_target_case{"absolute_empty_path_is_root", "GET", "http://h", absolute, "/",
                          std::nullopt, "http", "h"},
        valid_target_case{"absolute_query_without_path", "GET", "http://h?x", absolute, "/", "x",
                          "http", "h"},
        valid_target_case{"absolute_https_with_port", "GET", "https://h:8443/p?q", absolute, "/p",
                          "q", "https", "h", 8443},
        valid_target_case{"absolute_uppercase_scheme", "GET", "HTTP://H/", absolute, "/",
                          std::nullopt, "HTTP", "H"},
        valid_target_case{"absolute_ipv6", "GET", "http://[::1]:8080/", absolute, "/", std::nullopt,
                          "http", "[::1]", 8080},
        valid_target_case{"absolute_other_scheme_may_have_userinfo", "GET", "ftp://user@h/f",
                          absolute, "/f", std::nullopt, "ftp", "h"},
        valid_target_case{"absolute_other_scheme_without_authority", "GET", "urn:isbn:123",
                          absolute, "isbn:123", std::nullopt, "urn"},
        valid_target_case{"host_port_without_connect_is_a_scheme", "GET", "localhost:80", absolute,
                          "80", std::nullopt, "localhost"},
        valid_target_case{"connect_host_port", "CONNECT", "host:443", authority, "", std::nullopt,
                          std::nullopt, "host", 443},
        valid_target_case{"connect_ipv6", "CONNECT", "[2001:db8::1]:443", authority, "",
                          std::nullopt, std::nullopt, "[2001:db8::1]", 443},
        valid_target_case{"connect_ipv4", "CONNECT", "192.0.2.1:8080", authority, "", std::nullopt,
                          std::nullopt, "192.0.2.1", 8080},
        valid_target_case{"options_asterisk", "OPTIONS", "*", asterisk, "", std::nullopt},
        valid_target_case{"options_origin", "OPTIONS", "/x", origin, "/x", std::nullopt},
        valid_target_case{"options_absolute", "OPTIONS", "http://h/", absolute, "/", std::nullopt,
                          "http", "h"},
        valid_target_case{"post_origin", "POST", "/submit", origin, "/submit", std::nullopt}),
    case_name);

TEST(request_target, views_point_into_the_target) {
  const std::string target = "/a/b?c=d";
  const target_parse_result r = parse_request_target("GET", target);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.target.path.data(), target.data());
  EXPECT_EQ(r.target.query->data(), target.data() + 5);
}

// ---------------------------------------------------------------------------------------------
// Invalid targets: the exact reason.

struct invalid_target_case {
  const char* name;
  std::string_view method;
  std::string_view target;
  target_error expected;
};

class request_target_invalid : public testing::TestWithParam<invalid_target_case> {};

TEST_P(request_target_invalid, reports_the_reason) {
  const invalid_target_case& c = GetParam();
  const target_parse_result r = parse_request_target(c.method, c.target);
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error, c.expected) << describe(r.error);
}

INSTANTIATE_TEST_SUITE_P(
    rfc9112, request_target_invalid,
    testing::Values(
        invalid_target_case{"empty", "GET", "", target_error::empty},
        invalid_target_case{"asterisk_with_get", "GET", "*",
                            target_error::asterisk_requires_options},
        invalid_target_case{"asterisk_with_connect", "CONNECT", "*",
                            target_error::asterisk_requires_options},
        invalid_target_case{"asterisk_with_lowercase_options", "options", "*",
                            target_error::asterisk_requires_options},
        invalid_target_case{"asterisk_with_suffix", "OPTIONS", "*x",
                            target_error::not_a_target_form},
        invalid_target_case{"http_without_authority", "GET", "http:/x", target_error::missing_host},
        invalid_target_case{"http_rootless", "GET", "http:x", target_error::missing_host},
        invalid_target_case{"http_empty_host", "GET", "http:///x", target_error::missing_host},
        invalid_target_case{"http_empty_host_with_port", "GET", "http://:80/",
                            target_error::missing_host},
        invalid_target_case{"https_userinfo", "GET", "https://user@h/",
                            target_error::userinfo_not_allowed},
        invalid_target_case{"http_empty_userinfo", "GET", "http://@h/",
                            target_error::userinfo_not_allowed},
        invalid_target_case{"connect_origin_form", "CONNECT", "/",
                            target_error::connect_requires_authority_form},
        invalid_target_case{"connect_absolute_form", "CONNECT", "http://h:443/",
                            target_error::connect_requires_authority_form},
        invalid_target_case{"connect_without_port", "CONNECT", "host", target_error::missing_port},
        invalid_target_case{"connect_empty_port", "CONNECT", "host:", target_error::missing_port},
        invalid_target_case{"connect_empty_host", "CONNECT", ":443", target_error::missing_host},
        invalid_target_case{"connect_userinfo", "CONNECT", "u@host:443",
                            target_error::userinfo_not_allowed},
        invalid_target_case{"connect_port_not_a_number", "CONNECT", "host:https",
                            target_error::invalid_port},
        invalid_target_case{"connect_port_too_large", "CONNECT", "host:65536",
                            target_error::port_out_of_range},
        invalid_target_case{"connect_unclosed_ipv6", "CONNECT", "[::1:443",
                            target_error::invalid_host},
        invalid_target_case{"connect_bad_host_char", "CONNECT", "ho st:443",
                            target_error::invalid_host},
        invalid_target_case{"host_port_with_get_and_ip", "GET", "127.0.0.1:80",
                            target_error::not_a_target_form},
        invalid_target_case{"relative_path", "GET", "example.com/x",
                            target_error::not_a_target_form},
        invalid_target_case{"origin_fragment", "GET", "/p#f", target_error::fragment_not_allowed},
        invalid_target_case{"origin_query_fragment", "GET", "/p?q#f",
                            target_error::fragment_not_allowed},
        invalid_target_case{"absolute_fragment", "GET", "http://h/#f",
                            target_error::fragment_not_allowed},
        invalid_target_case{"origin_space", "GET", "/a b", target_error::invalid_path},
        invalid_target_case{"origin_backslash", "GET", "/a\\b", target_error::invalid_path},
        invalid_target_case{"origin_nul", "GET", "/\0"sv, target_error::invalid_path},
        invalid_target_case{"origin_control", "GET", "/\x01", target_error::invalid_path},
        invalid_target_case{"origin_raw_utf8", "GET", "/\xc3\xa9", target_error::invalid_path},
        invalid_target_case{"origin_bad_percent", "GET", "/%zz",
                            target_error::invalid_percent_encoding},
        invalid_target_case{"origin_trailing_percent", "GET", "/a%",
                            target_error::invalid_percent_encoding},
        invalid_target_case{"query_pipe", "GET", "/p?a|b", target_error::invalid_query},
        invalid_target_case{"query_bad_percent", "GET", "/p?%g",
                            target_error::invalid_percent_encoding},
        invalid_target_case{"absolute_bad_host", "GET", "http://a b/", target_error::invalid_host},
        invalid_target_case{"absolute_bad_ip_literal", "GET", "http://[::g]/",
                            target_error::invalid_host},
        invalid_target_case{"absolute_port_not_a_number", "GET", "http://h:x/",
                            target_error::invalid_port},
        invalid_target_case{"absolute_port_too_large", "GET", "http://h:70000/",
                            target_error::port_out_of_range},
        invalid_target_case{"absolute_bad_path", "GET", "http://h/a b", target_error::invalid_path},
        invalid_target_case{"absolute_bad_query", "GET", "http://h/?a b",
                            target_error::invalid_query},
        invalid_target_case{"absolute_bad_userinfo", "GET", "ftp://u^@h/",
                            target_error::invalid_userinfo}),
    case_name);

TEST(request_target, every_error_has_a_sentence) {
  for (int e = 0; e <= static_cast<int>(target_error::connect_requires_authority_form); ++e)
    EXPECT_FALSE(describe(static_cast<target_error>(e)).empty());
  EXPECT_EQ(describe(target_error::invalid_port), "request target port is not a number");
}

// ---------------------------------------------------------------------------------------------
// Host field values (RFC 9110 §7.2)

struct valid_host_case {
  const char* name;
  std::string_view value;
  std::string_view host;
  host_kind kind;
  std::optional<std::string_view> port_text;
  std::optional<std::uint16_t> port;
};

class request_target_host_valid : public testing::TestWithParam<valid_host_case> {};

TEST_P(request_target_host_valid, parses) {
  const valid_host_case& c = GetParam();
  const host_parse_result r = parse_host(c.value);
  ASSERT_EQ(r.error, host_error::none) << describe(r.error);
  EXPECT_EQ(r.host.host, c.host);
  EXPECT_EQ(r.host.kind, c.kind);
  EXPECT_EQ(r.host.port_text, c.port_text);
  EXPECT_EQ(r.host.port, c.port);
  EXPECT_FALSE(r.host.userinfo.has_value());
}

INSTANTIATE_TEST_SUITE_P(
    rfc9110, request_target_host_valid,
    testing::Values(
        valid_host_case{"name", "example.com", "example.com", host_kind::reg_name, std::nullopt,
                        std::nullopt},
        valid_host_case{"name_and_port", "example.com:8080", "example.com", host_kind::reg_name,
                        "8080", 8080},
        valid_host_case{"ipv6_and_port", "[::1]:80", "[::1]", host_kind::ipv6, "80", 80},
        valid_host_case{"ipv6", "[::1]", "[::1]", host_kind::ipv6, std::nullopt, std::nullopt},
        valid_host_case{"ipv4_and_port", "192.0.2.1:443", "192.0.2.1", host_kind::ipv4, "443", 443},
        valid_host_case{"empty_for_a_target_without_authority", "", "", host_kind::reg_name,
                        std::nullopt, std::nullopt},
        valid_host_case{"empty_port", "example.com:", "example.com", host_kind::reg_name, "",
                        std::nullopt},
        valid_host_case{"surrounding_ows_removed", " \texample.com:80 \t", "example.com",
                        host_kind::reg_name, "80", 80},
        valid_host_case{"case_and_trailing_dot_kept", "EXAMPLE.com.", "EXAMPLE.com.",
                        host_kind::reg_name, std::nullopt, std::nullopt},
        valid_host_case{"port_with_leading_zeros", "h:0080", "h", host_kind::reg_name, "0080", 80},
        valid_host_case{"port_65535", "h:65535", "h", host_kind::reg_name, "65535", 65535}),
    case_name);

struct invalid_host_case {
  const char* name;
  std::string_view value;
  host_error expected;
};

class request_target_host_invalid : public testing::TestWithParam<invalid_host_case> {};

TEST_P(request_target_host_invalid, reports_the_reason) {
  const invalid_host_case& c = GetParam();
  const host_parse_result r = parse_host(c.value);
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error, c.expected) << describe(r.error);
}

INSTANTIATE_TEST_SUITE_P(
    rfc9110, request_target_host_invalid,
    testing::Values(
        invalid_host_case{"unclosed_ipv6", "[::1", host_error::invalid_ip_literal},
        invalid_host_case{"text_after_ipv6", "[::1]x", host_error::invalid_ip_literal},
        invalid_host_case{"ipv4_in_brackets", "[1.2.3.4]", host_error::invalid_ip_literal},
        invalid_host_case{"ipv6_bad_port", "[::1]:x", host_error::invalid_port},
        invalid_host_case{"inner_space", "ex ample", host_error::invalid_character},
        invalid_host_case{"two_colons", "a:b:c", host_error::invalid_port},
        invalid_host_case{"port_too_large", "host:99999", host_error::port_out_of_range},
        invalid_host_case{"negative_port", "host:-1", host_error::invalid_port},
        invalid_host_case{"port_with_space", "host: 80", host_error::invalid_port},
        invalid_host_case{"userinfo", "user@host", host_error::userinfo_not_allowed},
        invalid_host_case{"empty_userinfo", "@host", host_error::userinfo_not_allowed},
        invalid_host_case{"path", "host/path", host_error::invalid_character},
        invalid_host_case{"crlf_injection", "host\r\nX: y", host_error::invalid_character},
        invalid_host_case{"nul", "host\0"sv, host_error::invalid_character},
        invalid_host_case{"underscore_is_allowed_but_caret_is_not", "a_b^c",
                          host_error::invalid_character},
        invalid_host_case{"bad_percent", "host%", host_error::invalid_percent_encoding}),
    case_name);

TEST(request_target_host, sentences) {
  EXPECT_EQ(describe(host_error::invalid_port), "Host port is not a number");
  for (int e = 0; e <= static_cast<int>(host_error::invalid_percent_encoding); ++e)
    EXPECT_FALSE(describe(static_cast<host_error>(e)).empty());
}

}  // namespace
}  // namespace herald::core
