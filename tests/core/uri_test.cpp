#include "herald/core/uri.hpp"

#include <gtest/gtest.h>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "support/test_cases.hpp"

namespace herald::core {

// Lets GoogleTest show which component differs.
void PrintTo(const uri_reference& u, std::ostream* os) {
  auto show = [os](const char* label, const std::optional<std::string_view>& v) {
    *os << label << (v ? "\"" + std::string(*v) + "\"" : std::string("(undefined)")) << ' ';
  };
  show("scheme=", u.scheme);
  if (u.authority) {
    show("userinfo=", u.authority->userinfo);
    *os << "host=\"" << u.authority->host << "\" kind=" << static_cast<int>(u.authority->kind)
        << ' ';
    show("port_text=", u.authority->port_text);
    *os << "port=" << (u.authority->port ? std::to_string(*u.authority->port) : "(none)") << ' ';
  } else {
    *os << "authority=(undefined) ";
  }
  *os << "path=\"" << u.path << "\" ";
  show("query=", u.query);
  show("fragment=", u.fragment);
}

namespace {

using namespace std::string_view_literals;

using herald::test::case_name;
using herald::test::PrintTo;

// ---------------------------------------------------------------------------------------------
// Valid references: every component, and recompose gives the input back.

struct parse_case {
  const char* name;
  std::string_view input;
  uri_reference expected;
};

class uri_parse_valid : public testing::TestWithParam<parse_case> {};

TEST_P(uri_parse_valid, components_match) {
  const parse_case& c = GetParam();
  const uri_parse_result r = parse_uri_reference(c.input);
  ASSERT_EQ(r.error, uri_error::none) << describe(r.error);
  EXPECT_EQ(r.uri, c.expected);
}

TEST_P(uri_parse_valid, recompose_gives_the_input_back) {
  const parse_case& c = GetParam();
  const uri_parse_result r = parse_uri_reference(c.input);
  ASSERT_TRUE(r);
  EXPECT_EQ(recompose(r.uri), c.input);
}

uri_authority host(std::string_view h, host_kind kind = host_kind::reg_name) {
  return uri_authority{.userinfo = std::nullopt, .host = h, .kind = kind};
}

uri_authority host_port(std::string_view h, std::string_view port_text,
                        std::optional<std::uint16_t> port) {
  return uri_authority{.host = h, .port_text = port_text, .port = port};
}

INSTANTIATE_TEST_SUITE_P(
    rfc3986, uri_parse_valid,
    testing::Values(
        parse_case{"http_every_component",
                   "http://user:pw@Example.COM:8080/a/b?q=1#frag",
                   {.scheme = "http",
                    .authority = uri_authority{.userinfo = "user:pw",
                                               .host = "Example.COM",
                                               .port_text = "8080",
                                               .port = 8080},
                    .path = "/a/b",
                    .query = "q=1",
                    .fragment = "frag"}},
        parse_case{"empty_reference", "", {}},
        parse_case{"empty_query_is_defined", "?", {.query = ""}},
        parse_case{"empty_fragment_is_defined", "#", {.fragment = ""}},
        parse_case{
            "authority_without_path", "http://h", {.scheme = "http", .authority = host("h")}},
        parse_case{"empty_port_means_default",
                   "http://h:/",
                   {.scheme = "http", .authority = host_port("h", "", std::nullopt), .path = "/"}},
        parse_case{"port_with_leading_zeros",
                   "http://h:0080",
                   {.scheme = "http", .authority = host_port("h", "0080", 80)}},
        parse_case{"port_zero",
                   "http://h:0/",
                   {.scheme = "http", .authority = host_port("h", "0", 0), .path = "/"}},
        parse_case{"port_65535",
                   "http://h:65535/",
                   {.scheme = "http", .authority = host_port("h", "65535", 65535), .path = "/"}},
        parse_case{"empty_authority",
                   "file:///etc/hosts",
                   {.scheme = "file", .authority = host(""), .path = "/etc/hosts"}},
        parse_case{"ipv6_with_port",
                   "http://[::1]:80/",
                   {.scheme = "http",
                    .authority = uri_authority{.host = "[::1]",
                                               .kind = host_kind::ipv6,
                                               .port_text = "80",
                                               .port = 80},
                    .path = "/"}},
        parse_case{"ipv6_rfc3986_example",
                   "ldap://[2001:db8::7]/c=GB?one",
                   {.scheme = "ldap",
                    .authority = host("[2001:db8::7]", host_kind::ipv6),
                    .path = "/c=GB",
                    .query = "one"}},
        parse_case{"ipv6_with_ipv4_tail",
                   "http://[::ffff:192.0.2.1]/",
                   {.scheme = "http",
                    .authority = host("[::ffff:192.0.2.1]", host_kind::ipv6),
                    .path = "/"}},
        parse_case{"ipv_future",
                   "http://[v7.abc:def]/",
                   {.scheme = "http",
                    .authority = host("[v7.abc:def]", host_kind::ipv_future),
                    .path = "/"}},
        parse_case{
            "ipv4",
            "http://192.0.2.1/",
            {.scheme = "http", .authority = host("192.0.2.1", host_kind::ipv4), .path = "/"}},
        parse_case{"octet_over_255_is_reg_name",
                   "http://256.1.1.1/",
                   {.scheme = "http", .authority = host("256.1.1.1"), .path = "/"}},
        parse_case{"octet_with_leading_zero_is_reg_name",
                   "http://01.2.3.4/",
                   {.scheme = "http", .authority = host("01.2.3.4"), .path = "/"}},
        parse_case{"three_octets_is_reg_name",
                   "http://1.2.3/",
                   {.scheme = "http", .authority = host("1.2.3"), .path = "/"}},
        parse_case{"five_octets_is_reg_name",
                   "http://1.2.3.4.5/",
                   {.scheme = "http", .authority = host("1.2.3.4.5"), .path = "/"}},
        parse_case{"trailing_dot_is_reg_name",
                   "http://1.2.3.4./",
                   {.scheme = "http", .authority = host("1.2.3.4."), .path = "/"}},
        parse_case{"four_digit_octet_is_reg_name",
                   "http://1.2.3.1000/",
                   {.scheme = "http", .authority = host("1.2.3.1000"), .path = "/"}},
        parse_case{"empty_octet_is_reg_name",
                   "http://1..3.4/",
                   {.scheme = "http", .authority = host("1..3.4"), .path = "/"}},
        parse_case{"zero_octets_and_255_are_ipv4",
                   "http://0.0.255.0/",
                   {.scheme = "http", .authority = host("0.0.255.0", host_kind::ipv4), .path = "/"}},
        parse_case{"sub_delims_in_host",
                   "http://a!$&'()*+,;=/",
                   {.scheme = "http", .authority = host("a!$&'()*+,;="), .path = "/"}},
        parse_case{"pct_encoded_host",
                   "http://%41.com/",
                   {.scheme = "http", .authority = host("%41.com"), .path = "/"}},
        parse_case{"mailto_rootless_path",
                   "mailto:John.Doe@example.com",
                   {.scheme = "mailto", .path = "John.Doe@example.com"}},
        parse_case{"urn_colons_in_path",
                   "urn:oasis:names:specification:docbook:dtd:xml:4.1.2",
                   {.scheme = "urn", .path = "oasis:names:specification:docbook:dtd:xml:4.1.2"}},
        parse_case{"tel", "tel:+1-816-555-1212", {.scheme = "tel", .path = "+1-816-555-1212"}},
        parse_case{"query_without_path",
                   "foo://info.example.com?fred",
                   {.scheme = "foo", .authority = host("info.example.com"), .query = "fred"}},
        parse_case{"query_holds_slash_and_question",
                   "http://h/p?a/b?c",
                   {.scheme = "http", .authority = host("h"), .path = "/p", .query = "a/b?c"}},
        parse_case{"fragment_holds_slash_and_question", "#a?b/c", {.fragment = "a?b/c"}},
        parse_case{"scheme_with_rootless_path", "http:g", {.scheme = "http", .path = "g"}},
        parse_case{"scheme_case_is_kept", "HTTP://H", {.scheme = "HTTP", .authority = host("H")}},
        parse_case{"relative_path_query_fragment",
                   "g;x?y#s",
                   {.path = "g;x", .query = "y", .fragment = "s"}},
        parse_case{"network_path_reference", "//g", {.authority = host("g")}},
        parse_case{"colon_after_first_segment", "a/b:c", {.path = "a/b:c"}},
        parse_case{"colon_after_dot_segment", "./a:b", {.path = "./a:b"}},
        parse_case{"pct_encoded_path", "/%41%2f", {.path = "/%41%2f"}},
        parse_case{"double_slash_path_after_authority",
                   "http://h//x",
                   {.scheme = "http", .authority = host("h"), .path = "//x"}}),
    case_name);

// ---------------------------------------------------------------------------------------------
// Invalid input: the exact reason.

enum class grammar : std::uint8_t { reference, uri, absolute };

struct invalid_case {
  const char* name;
  std::string_view input;
  grammar rule;
  uri_error expected;
};

class uri_parse_invalid : public testing::TestWithParam<invalid_case> {};

TEST_P(uri_parse_invalid, reports_the_reason) {
  const invalid_case& c = GetParam();
  const uri_parse_result r = c.rule == grammar::reference ? parse_uri_reference(c.input)
                             : c.rule == grammar::uri     ? parse_uri(c.input)
                                                          : parse_absolute_uri(c.input);
  EXPECT_FALSE(r);
  EXPECT_EQ(r.error, c.expected) << describe(r.error);
  EXPECT_FALSE(describe(r.error).empty());
}

INSTANTIATE_TEST_SUITE_P(
    rfc3986, uri_parse_invalid,
    testing::Values(
        invalid_case{"space_in_path", "http://h/a b", grammar::reference, uri_error::invalid_path},
        invalid_case{"backslash_in_path", "http://h/a\\b", grammar::reference,
                     uri_error::invalid_path},
        invalid_case{"angle_brackets_in_path", "http://h/<x>", grammar::reference,
                     uri_error::invalid_path},
        invalid_case{"del_in_path", "http://h/\x7f", grammar::reference, uri_error::invalid_path},
        invalid_case{"raw_utf8_in_path", "http://h/\xc3\xa9", grammar::reference,
                     uri_error::invalid_path},
        invalid_case{"nul_in_path", "http://h/\0"sv, grammar::reference, uri_error::invalid_path},
        invalid_case{"pct_one_digit", "http://h/%4", grammar::reference,
                     uri_error::invalid_percent_encoding},
        invalid_case{"pct_no_digit", "http://h/%", grammar::reference,
                     uri_error::invalid_percent_encoding},
        invalid_case{"pct_not_hex", "http://h/%zz", grammar::reference,
                     uri_error::invalid_percent_encoding},
        invalid_case{"pct_in_query", "/?a=%g0", grammar::reference,
                     uri_error::invalid_percent_encoding},
        invalid_case{"pct_in_host", "http://a%2/", grammar::reference,
                     uri_error::invalid_percent_encoding},
        invalid_case{"port_not_a_number", "http://h:port/", grammar::reference,
                     uri_error::invalid_port},
        invalid_case{"port_negative", "http://h:-1/", grammar::reference, uri_error::invalid_port},
        invalid_case{"two_ports", "http://a:b:c/", grammar::reference, uri_error::invalid_port},
        invalid_case{"port_65536", "http://h:65536/", grammar::reference,
                     uri_error::port_out_of_range},
        invalid_case{"port_overflowing_64_bits", "http://h:99999999999999999999999/",
                     grammar::reference, uri_error::port_out_of_range},
        invalid_case{"ip_literal_unclosed", "http://[::1/", grammar::reference,
                     uri_error::invalid_ip_literal},
        invalid_case{"ip_literal_then_garbage", "http://[::1]x/", grammar::reference,
                     uri_error::invalid_ip_literal},
        invalid_case{"ip_literal_zone_id", "http://[fe80::1%25eth0]/", grammar::reference,
                     uri_error::invalid_ip_literal},
        invalid_case{"ip_literal_ipv4_only", "http://[1.2.3.4]/", grammar::reference,
                     uri_error::invalid_ip_literal},
        invalid_case{"ip_future_without_version", "http://[v.x]/", grammar::reference,
                     uri_error::invalid_ip_literal},
        invalid_case{"ip_future_empty_tail", "http://[v1.]/", grammar::reference,
                     uri_error::invalid_ip_literal},
        invalid_case{"space_in_host", "http://a b/", grammar::reference, uri_error::invalid_host},
        invalid_case{"caret_in_host", "http://a^b/", grammar::reference, uri_error::invalid_host},
        invalid_case{"two_at_signs", "http://a@b@c/", grammar::reference, uri_error::invalid_host},
        invalid_case{"bracket_inside_host", "http://a[b]/", grammar::reference,
                     uri_error::invalid_host},
        invalid_case{"space_in_userinfo", "http://us er@h/", grammar::reference,
                     uri_error::invalid_userinfo},
        invalid_case{"space_in_query", "/p?a b", grammar::reference, uri_error::invalid_query},
        invalid_case{"hash_in_fragment", "/p#a#b", grammar::reference, uri_error::invalid_fragment},
        invalid_case{"space_in_fragment", "/p#a b", grammar::reference,
                     uri_error::invalid_fragment},
        invalid_case{"scheme_starts_with_digit", "1http://x", grammar::reference,
                     uri_error::colon_in_first_segment},
        invalid_case{"empty_scheme", "://x", grammar::reference, uri_error::colon_in_first_segment},
        invalid_case{"bad_scheme_as_uri", "1http://x", grammar::uri, uri_error::invalid_scheme},
        invalid_case{"scheme_with_underscore", "a_b:c", grammar::uri, uri_error::invalid_scheme},
        invalid_case{"relative_as_uri", "/x", grammar::uri, uri_error::missing_scheme},
        invalid_case{"empty_as_uri", "", grammar::uri, uri_error::missing_scheme},
        invalid_case{"relative_as_absolute_uri", "//h/x", grammar::absolute,
                     uri_error::missing_scheme},
        invalid_case{"fragment_in_absolute_uri", "http://h/#f", grammar::absolute,
                     uri_error::fragment_not_allowed},
        invalid_case{"path_error_comes_before_fragment", "http://h/ #f", grammar::absolute,
                     uri_error::invalid_path}),
    case_name);

// ---------------------------------------------------------------------------------------------
// IPv6address (RFC 3986 §3.2.2), through the IP-literal of an authority.

struct ipv6_case {
  const char* name;
  std::string_view literal;
  bool valid;
};

class uri_ipv6 : public testing::TestWithParam<ipv6_case> {};

TEST_P(uri_ipv6, validity) {
  const ipv6_case& c = GetParam();
  const std::string text = "http://[" + std::string(c.literal) + "]/";
  const uri_parse_result r = parse_uri(text);
  if (c.valid) {
    ASSERT_TRUE(r) << describe(r.error);
    EXPECT_EQ(r.uri.authority->kind, host_kind::ipv6);
    EXPECT_EQ(host_address(*r.uri.authority), c.literal);
  } else {
    EXPECT_EQ(r.error, uri_error::invalid_ip_literal);
  }
}

INSTANTIATE_TEST_SUITE_P(
    rfc3986, uri_ipv6,
    testing::Values(ipv6_case{"unspecified", "::", true}, ipv6_case{"loopback", "::1", true},
                    ipv6_case{"trailing_elision", "1::", true},
                    ipv6_case{"eight_pieces", "1:2:3:4:5:6:7:8", true},
                    ipv6_case{"seven_pieces_then_elision", "1:2:3:4:5:6:7::", true},
                    ipv6_case{"elision_then_seven_pieces", "::2:3:4:5:6:7:8", true},
                    ipv6_case{"middle_elision", "1::8", true},
                    ipv6_case{"uppercase_hex", "FE80::AB", true},
                    ipv6_case{"four_hex_digits", "abcd:ef01::", true},
                    ipv6_case{"six_pieces_and_ipv4", "1:2:3:4:5:6:1.2.3.4", true},
                    ipv6_case{"elision_and_ipv4", "::1.2.3.4", true},
                    ipv6_case{"mapped_ipv4", "::ffff:1.2.3.4", true}, ipv6_case{"empty", "", false},
                    ipv6_case{"single_colon", ":", false}, ipv6_case{"triple_colon", ":::", false},
                    ipv6_case{"triple_colon_inside", "1:::2", false},
                    ipv6_case{"two_elisions", "1::2::3", false},
                    ipv6_case{"nine_pieces", "1:2:3:4:5:6:7:8:9", false},
                    ipv6_case{"seven_pieces_no_elision", "1:2:3:4:5:6:7", false},
                    ipv6_case{"eight_pieces_and_elision", "1:2:3:4:5:6:7:8::", false},
                    ipv6_case{"five_hex_digits", "12345::", false},
                    ipv6_case{"leading_single_colon", ":1::", false},
                    ipv6_case{"trailing_single_colon", "1::2:", false},
                    ipv6_case{"not_hex", "g::1", false},
                    ipv6_case{"ipv4_not_last", "1.2.3.4::", false},
                    ipv6_case{"ipv4_three_octets", "::1.2.3", false},
                    ipv6_case{"ipv4_octet_over_255", "::1.2.3.256", false},
                    ipv6_case{"ipv4_leading_zero", "::01.2.3.4", false},
                    ipv6_case{"seven_pieces_and_ipv4", "1:2:3:4:5:6:7:1.2.3.4", false},
                    ipv6_case{"elision_with_eight_pieces_worth", "1:2:3:4:5:6::1.2.3.4", false}),
    case_name);

TEST(uri_parse, views_point_into_the_input) {
  const std::string text = "http://h?q#f";
  const uri_parse_result r = parse_uri_reference(text);
  ASSERT_TRUE(r);
  EXPECT_EQ(r.uri.scheme->data(), text.data());
  EXPECT_EQ(r.uri.authority->host.data(), text.data() + 7);
  EXPECT_EQ(r.uri.path.data(), text.data() + 8) << "an empty path sits after the authority";
  EXPECT_EQ(r.uri.query->data(), text.data() + 9);
  EXPECT_EQ(r.uri.fragment->data(), text.data() + 11);
}

TEST(uri_authority, parses_alone) {
  const uri_authority_result r = parse_authority("u@[::1]:8080");
  ASSERT_TRUE(r);
  EXPECT_EQ(r.authority.userinfo, "u");
  EXPECT_EQ(r.authority.host, "[::1]");
  EXPECT_EQ(host_address(r.authority), "::1");
  EXPECT_EQ(r.authority.port, 8080);
  EXPECT_EQ(parse_authority("h:x").error, uri_error::invalid_port);
  EXPECT_EQ(parse_authority("h/x").error, uri_error::invalid_host);
}

// ---------------------------------------------------------------------------------------------
// percent_decode

struct decode_case {
  const char* name;
  std::string_view input;
  std::optional<std::string_view> expected;
};

class uri_percent_decode : public testing::TestWithParam<decode_case> {};

TEST_P(uri_percent_decode, decodes_or_rejects) {
  const decode_case& c = GetParam();
  const std::optional<std::string> out = percent_decode(c.input);
  ASSERT_EQ(out.has_value(), c.expected.has_value());
  if (out) {
    EXPECT_EQ(*out, *c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(rfc3986, uri_percent_decode,
                         testing::Values(decode_case{"empty", "", ""},
                                         decode_case{"plain", "abc", "abc"},
                                         decode_case{"space", "a%20b", "a b"},
                                         decode_case{"upper_and_lower_hex", "%4a%4A", "JJ"},
                                         decode_case{"slash_is_decoded", "%2f", "/"},
                                         decode_case{"nul_is_decoded", "%00", "\0"sv},
                                         decode_case{"high_octet", "%FF", "\xff"},
                                         decode_case{"plus_is_not_space", "a+b", "a+b"},
                                         decode_case{"lone_percent", "%", std::nullopt},
                                         decode_case{"one_digit", "%4", std::nullopt},
                                         decode_case{"one_digit_then_text", "%4g", std::nullopt},
                                         decode_case{"percent_at_end", "ab%", std::nullopt},
                                         decode_case{"double_percent", "%%41", std::nullopt}),
                         case_name);

// ---------------------------------------------------------------------------------------------
// remove_dot_segments (RFC 3986 §5.2.4)

struct dot_case {
  const char* name;
  std::string_view input;
  std::string_view expected;
};

class uri_remove_dot_segments : public testing::TestWithParam<dot_case> {};

TEST_P(uri_remove_dot_segments, output) {
  EXPECT_EQ(remove_dot_segments(GetParam().input), GetParam().expected);
}

INSTANTIATE_TEST_SUITE_P(
    rfc3986, uri_remove_dot_segments,
    testing::Values(dot_case{"rfc_example_absolute", "/a/b/c/./../../g", "/a/g"},
                    dot_case{"rfc_example_relative", "mid/content=5/../6", "mid/6"},
                    dot_case{"empty", "", ""}, dot_case{"root", "/", "/"},
                    dot_case{"lone_dot", ".", ""}, dot_case{"lone_dot_dot", "..", ""},
                    dot_case{"root_dot", "/.", "/"}, dot_case{"root_dot_dot", "/..", "/"},
                    dot_case{"above_root", "/../../a", "/a"},
                    dot_case{"trailing_dot_keeps_slash", "/a/.", "/a/"},
                    dot_case{"trailing_dot_dot_keeps_slash", "/a/b/..", "/a/"},
                    dot_case{"leading_dot_dot_slash", "../a", "a"},
                    dot_case{"leading_dot_slash", "./a", "a"},
                    dot_case{"relative_climbs_to_root", "a/../../b", "/b"},
                    dot_case{"empty_segment_is_a_segment", "/a//../b", "/a/b"},
                    dot_case{"dots_inside_names_stay", "/a../..b/.c/c.", "/a../..b/.c/c."},
                    dot_case{"encoded_dots_are_not_dots", "/a/%2e%2e/b", "/a/%2e%2e/b"}),
    case_name);

// ---------------------------------------------------------------------------------------------
// Reference resolution: RFC 3986 §5.4.1 and §5.4.2, base "http://a/b/c/d;p?q".

struct resolve_case {
  const char* name;
  std::string_view reference;
  std::string_view expected;
};

constexpr std::string_view rfc_base = "http://a/b/c/d;p?q";

class uri_resolve_rfc3986 : public testing::TestWithParam<resolve_case> {};

TEST_P(uri_resolve_rfc3986, target) {
  const resolve_case& c = GetParam();
  const std::optional<std::string> target = resolve(rfc_base, c.reference);
  ASSERT_TRUE(target.has_value());
  EXPECT_EQ(*target, c.expected);
  EXPECT_TRUE(parse_uri(*target));
}

INSTANTIATE_TEST_SUITE_P(
    normal_5_4_1, uri_resolve_rfc3986,
    testing::Values(
        resolve_case{"scheme", "g:h", "g:h"}, resolve_case{"segment", "g", "http://a/b/c/g"},
        resolve_case{"dot_segment", "./g", "http://a/b/c/g"},
        resolve_case{"segment_slash", "g/", "http://a/b/c/g/"},
        resolve_case{"absolute_path", "/g", "http://a/g"},
        resolve_case{"network_path", "//g", "http://g"},
        resolve_case{"query", "?y", "http://a/b/c/d;p?y"},
        resolve_case{"segment_query", "g?y", "http://a/b/c/g?y"},
        resolve_case{"fragment", "#s", "http://a/b/c/d;p?q#s"},
        resolve_case{"segment_fragment", "g#s", "http://a/b/c/g#s"},
        resolve_case{"segment_query_fragment", "g?y#s", "http://a/b/c/g?y#s"},
        resolve_case{"params", ";x", "http://a/b/c/;x"},
        resolve_case{"segment_params", "g;x", "http://a/b/c/g;x"},
        resolve_case{"segment_params_query_fragment", "g;x?y#s", "http://a/b/c/g;x?y#s"},
        resolve_case{"empty", "", "http://a/b/c/d;p?q"}, resolve_case{"dot", ".", "http://a/b/c/"},
        resolve_case{"dot_slash", "./", "http://a/b/c/"},
        resolve_case{"dot_dot", "..", "http://a/b/"},
        resolve_case{"dot_dot_slash", "../", "http://a/b/"},
        resolve_case{"dot_dot_segment", "../g", "http://a/b/g"},
        resolve_case{"dot_dot_twice", "../..", "http://a/"},
        resolve_case{"dot_dot_twice_slash", "../../", "http://a/"},
        resolve_case{"dot_dot_twice_segment", "../../g", "http://a/g"}),
    case_name);

INSTANTIATE_TEST_SUITE_P(
    abnormal_5_4_2, uri_resolve_rfc3986,
    testing::Values(resolve_case{"three_levels_up", "../../../g", "http://a/g"},
                    resolve_case{"four_levels_up", "../../../../g", "http://a/g"},
                    resolve_case{"absolute_dot", "/./g", "http://a/g"},
                    resolve_case{"absolute_dot_dot", "/../g", "http://a/g"},
                    resolve_case{"trailing_dot_name", "g.", "http://a/b/c/g."},
                    resolve_case{"leading_dot_name", ".g", "http://a/b/c/.g"},
                    resolve_case{"trailing_dot_dot_name", "g..", "http://a/b/c/g.."},
                    resolve_case{"leading_dot_dot_name", "..g", "http://a/b/c/..g"},
                    resolve_case{"dot_then_dot_dot", "./../g", "http://a/b/g"},
                    resolve_case{"trailing_dot", "./g/.", "http://a/b/c/g/"},
                    resolve_case{"inner_dot", "g/./h", "http://a/b/c/g/h"},
                    resolve_case{"inner_dot_dot", "g/../h", "http://a/b/c/h"},
                    resolve_case{"params_inner_dot", "g;x=1/./y", "http://a/b/c/g;x=1/y"},
                    resolve_case{"params_inner_dot_dot", "g;x=1/../y", "http://a/b/c/y"},
                    resolve_case{"dot_in_query", "g?y/./x", "http://a/b/c/g?y/./x"},
                    resolve_case{"dot_dot_in_query", "g?y/../x", "http://a/b/c/g?y/../x"},
                    resolve_case{"dot_in_fragment", "g#s/./x", "http://a/b/c/g#s/./x"},
                    resolve_case{"dot_dot_in_fragment", "g#s/../x", "http://a/b/c/g#s/../x"},
                    resolve_case{"strict_same_scheme", "http:g", "http:g"}),
    case_name);

struct resolve_other_case {
  const char* name;
  std::string_view base;
  std::string_view reference;
  std::optional<std::string_view> expected;
};

class uri_resolve_other : public testing::TestWithParam<resolve_other_case> {};

TEST_P(uri_resolve_other, target) {
  const resolve_other_case& c = GetParam();
  const std::optional<std::string> target = resolve(c.base, c.reference);
  ASSERT_EQ(target.has_value(), c.expected.has_value());
  if (target) {
    EXPECT_EQ(*target, *c.expected);
  }
}

INSTANTIATE_TEST_SUITE_P(
    rfc3986, uri_resolve_other,
    testing::Values(
        resolve_other_case{"base_fragment_dropped_for_empty_reference", "http://a/b#f", "",
                           "http://a/b"},
        resolve_other_case{"base_fragment_dropped_for_path", "http://a/b#f", "c", "http://a/c"},
        resolve_other_case{"reference_fragment_kept", "http://a/b#f", "#g", "http://a/b#g"},
        resolve_other_case{"empty_base_path_merges_with_slash", "http://a", "g", "http://a/g"},
        resolve_other_case{"base_without_authority", "mailto:x", "y", "mailto:y"},
        resolve_other_case{"location_on_another_host", "http://a/b", "https://c:8443/d?e",
                           "https://c:8443/d?e"},
        resolve_other_case{"double_slash_without_authority_kept_as_path", "a:/b", "/.//g",
                           "a:/.//g"},
        resolve_other_case{"relative_base_rejected", "/a/b", "c", std::nullopt},
        resolve_other_case{"invalid_reference_rejected", "http://a/", "a b", std::nullopt},
        resolve_other_case{"invalid_base_rejected", "http://a b/", "c", std::nullopt}),
    case_name);

TEST(uri_resolve, guarded_double_slash_reads_back_as_a_path) {
  const std::optional<std::string> target = resolve("a:/b", "/.//g");
  ASSERT_TRUE(target);
  const uri_parse_result r = parse_uri(*target);
  ASSERT_TRUE(r);
  EXPECT_FALSE(r.uri.authority.has_value());
  EXPECT_EQ(remove_dot_segments(r.uri.path), "//g");
}

// ---------------------------------------------------------------------------------------------
// Normalisation and comparison (RFC 3986 §6, RFC 9110 §4.2.3)

struct normalize_case {
  const char* name;
  std::string_view input;
  std::string_view expected;
};

class uri_normalize : public testing::TestWithParam<normalize_case> {};

TEST_P(uri_normalize, output) {
  const normalize_case& c = GetParam();
  const std::optional<std::string> out = normalize(c.input);
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(*out, c.expected);
  EXPECT_EQ(normalize(*out), *out) << "normalisation is idempotent";
}

INSTANTIATE_TEST_SUITE_P(
    rfc3986, uri_normalize,
    testing::Values(
        normalize_case{"rfc9110_example", "HTTP://Example.COM:80/%7Esmith/home.html",
                       "http://example.com/~smith/home.html"},
        normalize_case{"empty_http_path_is_root", "http://example.com", "http://example.com/"},
        normalize_case{"https_default_port", "https://h:443", "https://h/"},
        normalize_case{"http_port_on_https_kept", "https://h:80/", "https://h:80/"},
        normalize_case{"empty_port_removed", "http://h:/", "http://h/"},
        normalize_case{"leading_zero_default_port", "http://h:0080/", "http://h/"},
        normalize_case{"leading_zero_port", "http://h:08080/", "http://h:8080/"},
        normalize_case{"dot_segments", "http://h/a/./b/../c", "http://h/a/c"},
        normalize_case{"encoded_dot_segments", "http://h/%2e%2E/x", "http://h/x"},
        normalize_case{"reserved_stays_encoded_in_upper_hex", "http://h/%2f%3a", "http://h/%2F%3A"},
        normalize_case{"ipv6_lowercased", "HTTP://[FE80::AB]/", "http://[fe80::ab]/"},
        normalize_case{"encoded_host_decoded_and_lowercased", "http://%41.com/", "http://a.com/"},
        normalize_case{"non_ascii_host_keeps_upper_hex", "http://%c3%A9.FR/", "http://%C3%A9.fr/"},
        normalize_case{"query_unreserved_decoded", "http://h/?Q=%7e", "http://h/?Q=~"},
        normalize_case{"fragment_hex_uppercased", "http://h/#%3f", "http://h/#%3F"},
        normalize_case{"userinfo_case_kept", "http://User@h/", "http://User@h/"},
        normalize_case{"unknown_scheme_keeps_empty_path", "foo://h", "foo://h"},
        normalize_case{"unknown_scheme_keeps_port", "foo://h:80", "foo://h:80"},
        normalize_case{"rootless_path_untouched", "urn:a/../b", "urn:a/../b"},
        normalize_case{"relative_reference_keeps_dots", "../a/./b", "../a/./b"},
        normalize_case{"double_slash_guarded", "a:/.//g", "a:/.//g"}),
    case_name);

struct equivalence_case {
  const char* name;
  std::string_view a;
  std::string_view b;
  bool equivalent;
};

class uri_equivalence : public testing::TestWithParam<equivalence_case> {};

TEST_P(uri_equivalence, compares) {
  const equivalence_case& c = GetParam();
  EXPECT_EQ(uri_equivalent(c.a, c.b), c.equivalent);
  EXPECT_EQ(uri_equivalent(c.b, c.a), c.equivalent);
}

INSTANTIATE_TEST_SUITE_P(
    rfc9110, uri_equivalence,
    testing::Values(
        equivalence_case{"rfc9110_example_1", "http://example.com:80/~smith/home.html",
                         "http://EXAMPLE.com/%7Esmith/home.html", true},
        equivalence_case{"rfc9110_example_2", "http://EXAMPLE.com/%7Esmith/home.html",
                         "http://EXAMPLE.com:/%7esmith/home.html", true},
        equivalence_case{"path_case_matters", "http://h/a", "http://h/A", false},
        equivalence_case{"scheme_matters", "http://h/a", "https://h/a", false},
        equivalence_case{"encoded_slash_is_not_slash", "http://h/a%2Fb", "http://h/a/b", false},
        equivalence_case{"port_matters", "http://h:8080/", "http://h/", false},
        equivalence_case{"invalid_is_never_equivalent", "http://h/ ", "http://h/ ", false}),
    case_name);

struct origin_case {
  const char* name;
  std::string_view a;
  std::string_view b;
  bool same;
};

class uri_same_origin : public testing::TestWithParam<origin_case> {};

TEST_P(uri_same_origin, compares) {
  const origin_case& c = GetParam();
  const uri_parse_result a = parse_uri_reference(c.a);
  const uri_parse_result b = parse_uri_reference(c.b);
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_EQ(same_origin(a.uri, b.uri), c.same);
  EXPECT_EQ(same_origin(b.uri, a.uri), c.same);
}

INSTANTIATE_TEST_SUITE_P(
    rfc6454, uri_same_origin,
    testing::Values(origin_case{"case_and_default_port", "http://a/", "HTTP://A:80/x", true},
                    origin_case{"https_default_port", "https://a/", "https://a:443/y", true},
                    origin_case{"scheme_differs", "http://a/", "https://a/", false},
                    origin_case{"port_differs", "http://a:8080/", "http://a/", false},
                    origin_case{"host_differs", "http://a/", "http://b/", false},
                    origin_case{"relative_has_no_origin", "http://a/", "/x", false}),
    case_name);

TEST(uri_default_port, http_and_https_only) {
  EXPECT_EQ(default_port("http"), 80);
  EXPECT_EQ(default_port("HTTPS"), 443);
  EXPECT_EQ(default_port("ftp"), std::nullopt);
}

}  // namespace
}  // namespace herald::core
