#include <algorithm>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <herald/core/fields.hpp>

#include "support/test_cases.hpp"

// Allocation counting for the "does not allocate" contracts. It uses the sanitizer allocator's
// hooks rather than replacing operator new, which would take over the whole test executable; the
// tests that need it are skipped in builds without AddressSanitizer (HERALD_SANITIZE=OFF).
#if defined(__SANITIZE_ADDRESS__)
#define HERALD_FIELDS_TEST_COUNTS_ALLOCATIONS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HERALD_FIELDS_TEST_COUNTS_ALLOCATIONS 1
#endif
#endif

#ifdef HERALD_FIELDS_TEST_COUNTS_ALLOCATIONS
extern "C" int __sanitizer_install_malloc_and_free_hooks(void (*malloc_hook)(const volatile void*,
                                                                             std::size_t),
                                                         void (*free_hook)(const volatile void*));
#endif

namespace {
#ifdef HERALD_FIELDS_TEST_COUNTS_ALLOCATIONS
constexpr bool counts_allocations = true;
std::size_t allocation_count = 0;
void on_malloc(const volatile void*, std::size_t) {
  ++allocation_count;
}
void on_free(const volatile void*) {}
const bool hooks_installed = __sanitizer_install_malloc_and_free_hooks(on_malloc, on_free) != 0;
#else
constexpr bool counts_allocations = false;
const bool hooks_installed = false;
const std::size_t allocation_count = 0;
#endif
}  // namespace

namespace herald::core {
namespace {

using namespace std::string_view_literals;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using elements = std::vector<std::string_view>;

#define SKIP_UNLESS_COUNTING_ALLOCATIONS() \
  if (!counts_allocations) GTEST_SKIP() << "allocation counting needs AddressSanitizer"

// Allocations made while `f` runs.
template <class F>
std::size_t allocations_during(F&& f) {
  std::size_t before = allocation_count;
  std::forward<F>(f)();
  return allocation_count - before;
}

template <class Range>
std::vector<std::string_view> collect(const Range& range) {
  return {range.begin(), range.end()};
}

std::vector<std::pair<std::string, std::string>> lines_of(const fields& f) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto [name, value] : f) out.emplace_back(name, value);
  return out;
}
using line_list = std::vector<std::pair<std::string, std::string>>;

using herald::test::case_name;
using herald::test::PrintTo;

static_assert(std::forward_iterator<list_elements::iterator>);
static_assert(std::forward_iterator<fields::iterator>);
static_assert(std::forward_iterator<fields::value_range::iterator>);

TEST(allocation_counter, sees_allocations) {
  SKIP_UNLESS_COUNTING_ALLOCATIONS();
  ASSERT_TRUE(hooks_installed);
  EXPECT_GT(allocations_during([] { std::vector<int> v(100); }), 0u);
}

// ---------------------------------------------------------------------------------------------
// parse_list

struct list_case {
  std::string_view name;
  std::string_view value;
  std::optional<elements> expected;  // nullopt: malformed
};

class parse_list_test : public ::testing::TestWithParam<list_case> {};

TEST_P(parse_list_test, yields_the_expected_elements) {
  const list_case& c = GetParam();
  EXPECT_EQ(parse_list(c.value), c.expected);
  std::optional<list_elements> view = list_elements::parse(c.value);
  ASSERT_EQ(view.has_value(), c.expected.has_value());
  if (view) {
    EXPECT_EQ(collect(*view), *c.expected);
    EXPECT_EQ(view->empty(), c.expected->empty());
    // Elements are views into the caller's value, not copies.
    for (std::string_view e : *view) {
      EXPECT_GE(e.data(), c.value.data());
      EXPECT_LE(e.data() + e.size(), c.value.data() + c.value.size());
    }
  }
}

INSTANTIATE_TEST_SUITE_P(
    rfc9110_5_6_1, parse_list_test,
    ::testing::Values(
        // RFC 9110 §5.6.1.2: valid values of a 1#token list.
        list_case{"rfc_foo_bar", "foo,bar", elements{"foo", "bar"}},
        list_case{"rfc_space_before_comma_and_trailing_comma", "foo ,bar,", elements{"foo", "bar"}},
        list_case{"rfc_empty_element_in_middle", "foo , ,bar,charlie",
                  elements{"foo", "bar", "charlie"}},
        // RFC 9110 §5.6.1.2: invalid for 1#, but as lists they are merely empty.
        list_case{"rfc_empty_value_is_empty_list", "", elements{}},
        list_case{"rfc_lone_comma_is_empty_list", ",", elements{}},
        list_case{"rfc_commas_and_spaces_is_empty_list", ",   ,", elements{}},
        list_case{"leading_and_repeated_empty_elements", ", ,a,,b", elements{"a", "b"}},
        list_case{"only_ows", " \t ", elements{}},
        list_case{"single_element", "gzip", elements{"gzip"}},
        list_case{"tabs_are_ows", "\ta\t,\t b \t", elements{"a", "b"}},
        list_case{"inner_whitespace_kept", "a  b , c\td", elements{"a  b", "c\td"}},
        list_case{"parameters_kept", "text/html;q=0.5 , */*; q=0.1",
                  elements{"text/html;q=0.5", "*/*; q=0.1"}},
        list_case{"comma_in_quoted_string_does_not_separate", R"("a,b", c)",
                  elements{R"("a,b")", "c"}},
        list_case{"comma_in_quoted_parameter", R"(a;p="x, y";q=1, b)",
                  elements{R"(a;p="x, y";q=1)", "b"}},
        list_case{"escaped_quote_does_not_end_string", R"("a\",b", c)",
                  elements{R"("a\",b")", "c"}},
        list_case{"escaped_backslash_ends_before_quote", R"("a\\", b)", elements{R"("a\\")", "b"}},
        list_case{"empty_quoted_string_is_an_element", R"("")", elements{R"("")"}},
        list_case{"quote_inside_element_opens_string", R"(a"b,c"d, e)",
                  elements{R"(a"b,c"d)", "e"}},
        list_case{"two_quoted_strings", R"("a" "b,c",d)", elements{R"("a" "b,c")", "d"}},
        list_case{"backslash_outside_quotes_is_plain", R"(a\,b)", elements{R"(a\)", "b"}},
        list_case{"obs_text_allowed", "caf\xC3\xA9, b", elements{"caf\xC3\xA9", "b"}},
        list_case{"unterminated_quoted_string", R"(a, "b)", std::nullopt},
        list_case{"unterminated_quote_after_valid_elements", R"(a, b, ")", std::nullopt},
        list_case{"unterminated_after_escaped_quote", R"("a\")", std::nullopt},
        list_case{"backslash_at_end_of_quoted_string", R"("a\)", std::nullopt},
        list_case{"control_in_quoted_string", "\"a\x01\"", std::nullopt},
        list_case{"escaped_control_in_quoted_string", "\"a\\\x01\"", std::nullopt},
        list_case{"cr_lf_in_value", "a\r\nb", std::nullopt},
        list_case{"nul_in_value", "a,\0b"sv, std::nullopt},
        list_case{"del_in_value", "a\x7f", std::nullopt}),
    case_name);

// ---------------------------------------------------------------------------------------------
// list_contains_token

struct token_case {
  std::string_view name;
  std::string_view value;
  std::string_view token;
  bool expected;
};

class list_contains_token_test : public ::testing::TestWithParam<token_case> {};

TEST_P(list_contains_token_test, answers_as_expected) {
  const token_case& c = GetParam();
  EXPECT_EQ(list_contains_token(c.value, c.token), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    connection_options, list_contains_token_test,
    ::testing::Values(token_case{"case_insensitive", "keep-alive, Close", "close", true},
                      token_case{"token_case_insensitive", "close", "CLOSE", true},
                      token_case{"first_element", "close, upgrade", "close", true},
                      token_case{"surrounded_by_tabs", "\tUpgrade\t", "upgrade", true},
                      token_case{"after_empty_elements", ", ,close", "close", true},
                      token_case{"absent", "keep-alive", "close", false},
                      token_case{"prefix_is_not_element", "closed", "close", false},
                      token_case{"element_with_parameters_differs", "gzip;q=0", "gzip", false},
                      token_case{"quoted_is_not_token", R"("close")", "close", false},
                      token_case{"inside_quoted_string", R"("a, close")", "close", false},
                      token_case{"empty_value", "", "close", false},
                      token_case{"malformed_list_after_match", R"(close, "oops)", "close", false},
                      token_case{"malformed_list_before_match", R"("oops, close)", "close", false},
                      token_case{"empty_token", "a,,b", "", false},
                      token_case{"token_with_space", "a b", "a b", false},
                      token_case{"token_with_comma", "a,b", "a,b", false}),
    case_name);

// ---------------------------------------------------------------------------------------------
// traits_of

struct traits_case {
  std::string_view name;  // test name
  std::string_view field;
  field_traits expected;
};

class traits_of_test : public ::testing::TestWithParam<traits_case> {};

TEST_P(traits_of_test, returns_the_table_entry) {
  const traits_case& c = GetParam();
  field_traits t = traits_of(c.field);
  EXPECT_EQ(t.name, c.expected.name);
  EXPECT_EQ(t.kind, c.expected.kind);
  EXPECT_EQ(t.hop_by_hop, c.expected.hop_by_hop);
}

constexpr field_kind list_k = field_kind::list;
constexpr field_kind single_k = field_kind::singleton;

INSTANTIATE_TEST_SUITE_P(
    well_known, traits_of_test,
    ::testing::Values(
        traits_case{"host", "Host", {"Host", single_k, false}},
        traits_case{"host_lower", "host", {"Host", single_k, false}},
        traits_case{"host_upper", "HOST", {"Host", single_k, false}},
        traits_case{"content_length",
                    "content-length",
                    {"Content-Length", field_kind::content_length, false}},
        traits_case{"content_type", "Content-Type", {"Content-Type", single_k, false}},
        traits_case{"authorization", "Authorization", {"Authorization", single_k, false}},
        traits_case{
            "if_modified_since", "If-Modified-Since", {"If-Modified-Since", single_k, false}},
        traits_case{
            "if_unmodified_since", "If-Unmodified-Since", {"If-Unmodified-Since", single_k, false}},
        traits_case{"if_range", "If-Range", {"If-Range", single_k, false}},
        traits_case{"range_commas_are_inside", "Range", {"Range", single_k, false}},
        traits_case{"date", "Date", {"Date", single_k, false}},
        traits_case{"last_modified", "Last-Modified", {"Last-Modified", single_k, false}},
        traits_case{"etag", "etag", {"ETag", single_k, false}},
        traits_case{"location", "Location", {"Location", single_k, false}},
        traits_case{"retry_after", "Retry-After", {"Retry-After", single_k, false}},
        traits_case{"max_forwards", "Max-Forwards", {"Max-Forwards", single_k, false}},
        traits_case{"expect_is_a_list", "Expect", {"Expect", list_k, false}},
        traits_case{"if_match_is_a_list", "If-Match", {"If-Match", list_k, false}},
        traits_case{"if_none_match_is_a_list", "if-none-match", {"If-None-Match", list_k, false}},
        traits_case{"www_authenticate", "www-authenticate", {"WWW-Authenticate", list_k, false}},
        traits_case{"set_cookie", "Set-Cookie", {"Set-Cookie", field_kind::never_combine, false}},
        traits_case{
            "set_cookie_upper", "SET-COOKIE", {"Set-Cookie", field_kind::never_combine, false}},
        traits_case{"cookie", "cookie", {"Cookie", field_kind::cookie, false}},
        traits_case{"connection", "Connection", {"Connection", list_k, true}},
        traits_case{"keep_alive", "Keep-Alive", {"Keep-Alive", list_k, true}},
        traits_case{"proxy_connection", "Proxy-Connection", {"Proxy-Connection", list_k, true}},
        traits_case{"te", "te", {"TE", list_k, true}},
        traits_case{"transfer_encoding", "Transfer-Encoding", {"Transfer-Encoding", list_k, true}},
        traits_case{"upgrade", "Upgrade", {"Upgrade", list_k, true}},
        traits_case{"trailer", "Trailer", {"Trailer", list_k, true}},
        traits_case{
            "proxy_authenticate", "Proxy-Authenticate", {"Proxy-Authenticate", list_k, true}},
        traits_case{
            "proxy_authorization", "Proxy-Authorization", {"Proxy-Authorization", single_k, true}},
        traits_case{"unknown", "X-Custom", {"", field_kind::unknown, false}},
        traits_case{"unknown_empty", "", {"", field_kind::unknown, false}},
        traits_case{"unknown_prefix_of_known", "Hos", {"", field_kind::unknown, false}},
        traits_case{"unknown_extension_of_known", "Hosts", {"", field_kind::unknown, false}},
        traits_case{"unknown_before_first", "0", {"", field_kind::unknown, false}},
        traits_case{"unknown_after_last", "~", {"", field_kind::unknown, false}},
        traits_case{"not_a_token", "Host:", {"", field_kind::unknown, false}}),
    case_name);

std::string with_case(std::string_view s, bool upper) {
  std::string out{s};
  for (char& c : out)
    if (c >= 'a' && c <= 'z' && upper)
      c = static_cast<char>(c - 32);
    else if (c >= 'A' && c <= 'Z' && !upper)
      c = static_cast<char>(c + 32);
  return out;
}

TEST(traits_table, every_entry_is_found_in_any_case) {
  ASSERT_FALSE(known_fields().empty());
  for (const field_traits& entry : known_fields()) {
    SCOPED_TRACE(entry.name);
    EXPECT_TRUE(entry.known());
    EXPECT_EQ(traits_of(entry.name), entry);
    EXPECT_EQ(traits_of(with_case(entry.name, true)), entry);
    EXPECT_EQ(traits_of(with_case(entry.name, false)), entry);
    EXPECT_NE(entry.kind, field_kind::unknown);
  }
}

TEST(traits_table, unknown_is_the_default) {
  field_traits t = traits_of("X-Request-Id");
  EXPECT_FALSE(t.known());
  EXPECT_EQ(t, field_traits{});
}

TEST(traits_table, hop_by_hop_fields_are_exactly_the_proxy_set) {
  std::vector<std::string_view> hop;
  for (const field_traits& entry : known_fields())
    if (entry.hop_by_hop) hop.push_back(entry.name);
  EXPECT_THAT(hop, ::testing::UnorderedElementsAre("Connection", "Keep-Alive", "Proxy-Connection",
                                                   "TE", "Transfer-Encoding", "Upgrade", "Trailer",
                                                   "Proxy-Authenticate", "Proxy-Authorization"));
}

TEST(traits_table, only_set_cookie_is_never_combined) {
  for (const field_traits& entry : known_fields())
    EXPECT_EQ(entry.kind == field_kind::never_combine, entry.name == "Set-Cookie") << entry.name;
}

TEST(traits_table, lookup_does_not_allocate) {
  SKIP_UNLESS_COUNTING_ALLOCATIONS();
  std::string long_unknown(300, 'x');
  EXPECT_EQ(allocations_during([&] {
              EXPECT_TRUE(traits_of("strict-transport-security").known());
              EXPECT_FALSE(traits_of(long_unknown).known());
            }),
            0u);
}

// ---------------------------------------------------------------------------------------------
// fields: adding and reading

TEST(fields, starts_empty) {
  fields f;
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.size(), 0u);
  EXPECT_EQ(f.begin(), f.end());
  EXPECT_EQ(f.find("Host"), std::nullopt);
  EXPECT_FALSE(f.contains("Host"));
  EXPECT_EQ(f.count("Host"), 0u);
  EXPECT_TRUE(f.values("Host").empty());
}

TEST(fields, iterates_in_wire_order_with_spelling_kept) {
  fields f;
  ASSERT_TRUE(f.add("Host", "example.com"));
  ASSERT_TRUE(f.add("accept", "text/html"));
  ASSERT_TRUE(f.add("X-TRACE", "1"));
  ASSERT_TRUE(f.add("Accept", "*/*"));
  EXPECT_EQ(
      lines_of(f),
      (line_list{
          {"Host", "example.com"}, {"accept", "text/html"}, {"X-TRACE", "1"}, {"Accept", "*/*"}}));
  EXPECT_EQ(f.size(), 4u);
  EXPECT_FALSE(f.empty());
  EXPECT_EQ(f.at(2), (field{"X-TRACE", "1"}));
}

TEST(fields, names_are_case_insensitive) {
  fields f;
  ASSERT_TRUE(f.add("Content-Type", "text/plain"));
  EXPECT_EQ(f.find("content-type"), "text/plain");
  EXPECT_EQ(f.find("CONTENT-TYPE"), "text/plain");
  EXPECT_EQ(f.find("Content-Typ"), std::nullopt);
  EXPECT_EQ(f.find("Content-Types"), std::nullopt);
  EXPECT_TRUE(f.contains("cOnTeNt-TyPe"));
  EXPECT_EQ(f.count("CONTENT-type"), 1u);
}

TEST(fields, repeated_names_keep_every_value_in_order) {
  fields f;
  ASSERT_TRUE(f.add("Via", "1.1 a"));
  ASSERT_TRUE(f.add("Host", "h"));
  ASSERT_TRUE(f.add("via", "1.1 b"));
  ASSERT_TRUE(f.add("VIA", "1.1 c"));
  EXPECT_EQ(f.find("Via"), "1.1 a");
  EXPECT_EQ(f.count("Via"), 3u);
  EXPECT_THAT(collect(f.values("via")), ElementsAre("1.1 a", "1.1 b", "1.1 c"));
  EXPECT_THAT(collect(f.values("Host")), ElementsAre("h"));
  EXPECT_THAT(collect(f.values("Age")), IsEmpty());
}

TEST(fields, accepts_any_valid_field_value) {
  fields f;
  EXPECT_TRUE(f.add("X-Empty", ""));
  EXPECT_TRUE(f.add("X-Inner", "a \t b"));
  EXPECT_TRUE(f.add("X-Obs", "caf\xC3\xA9"));
  EXPECT_TRUE(f.add("!#$%&'*+-.^_`|~09azAZ", "v"));
  EXPECT_EQ(f.find("X-Empty"), "");
  EXPECT_EQ(f.size(), 4u);
}

// A name fixed in the source is checked when compiled (a name that is not a token does not
// compile); its value is still checked when added, like any other.
TEST(fields, a_compiled_name_adds_like_any_other) {
  fields f;
  EXPECT_TRUE(f.add(field_name("X-Content-Type-Options"), "nosniff"));
  EXPECT_TRUE(f.add(field_name("!#$%&'*+-.^_`|~09azAZ"), "v"));
  EXPECT_FALSE(f.add(field_name("X-Split"), "a\r\nInjected: yes"));
  EXPECT_FALSE(f.add(field_name("X-Padded"), " a"));
  EXPECT_EQ(f.find("x-content-type-options"), "nosniff");
  EXPECT_EQ(f.size(), 2u);
  static_assert(field_name("ETag").view() == "ETag");
}

TEST(fields, a_compiled_name_sets_like_any_other) {
  fields f;
  ASSERT_TRUE(f.add("Content-Type", "text/html"));
  ASSERT_TRUE(f.add("X-A", "1"));
  ASSERT_TRUE(f.add("content-type", "text/css"));
  EXPECT_TRUE(f.set(field_name("Content-Type"), "text/plain"));
  EXPECT_EQ(lines_of(f), (line_list{{"Content-Type", "text/plain"}, {"X-A", "1"}}));
  EXPECT_FALSE(f.set(field_name("Content-Type"), "a\r\nInjected: yes"));
  EXPECT_TRUE(f.set(field_name("X-B"), *f.find("X-A")));
  EXPECT_EQ(lines_of(f), (line_list{{"Content-Type", "text/plain"}, {"X-A", "1"}, {"X-B", "1"}}));
}

// A compiled name's value may view the fields' own storage, with room reserved (the one-step
// path) and without (the buffer grows while the value still views it).
TEST(fields, a_compiled_name_may_take_a_value_of_the_fields_own) {
  fields f;
  f.reserve(8, 256);
  ASSERT_TRUE(f.add(field_name("A"), "one"));
  ASSERT_TRUE(f.add(field_name("B"), *f.find("A")));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(f.add(field_name("C"), f.at(f.size() - 1).value));
  EXPECT_EQ(f.at(1).value, "one");
  EXPECT_EQ(f.at(101).name, "C");
  EXPECT_EQ(f.at(101).value, "one");
  EXPECT_EQ(f.size(), 102u);
}
struct refused_case {
  std::string_view name;  // test name
  std::string_view field_name;
  std::string_view value;
};

class refused_field_test : public ::testing::TestWithParam<refused_case> {};

TEST_P(refused_field_test, add_and_set_change_nothing) {
  const refused_case& c = GetParam();
  fields f;
  ASSERT_TRUE(f.add("Host", "example.com"));
  ASSERT_TRUE(f.add("X-Old", "1"));
  line_list before = lines_of(f);
  EXPECT_FALSE(f.add(c.field_name, c.value));
  EXPECT_EQ(lines_of(f), before);
  EXPECT_FALSE(f.set(c.field_name, c.value));
  EXPECT_EQ(lines_of(f), before);
}

INSTANTIATE_TEST_SUITE_P(invalid, refused_field_test,
                         ::testing::Values(refused_case{"empty_name", "", "v"},
                                           refused_case{"name_with_space", "X Old", "v"},
                                           refused_case{"name_with_colon", "X-Old:", "v"},
                                           refused_case{"name_with_obs_text", "X-\xC3\xA9", "v"},
                                           refused_case{"name_with_nul", "X\0"sv, "v"},
                                           refused_case{"value_with_leading_space", "X-Old", " v"},
                                           refused_case{"value_with_trailing_tab", "X-Old", "v\t"},
                                           refused_case{"value_only_space", "Host", " "},
                                           refused_case{"value_with_cr", "X-Old", "a\rb"},
                                           refused_case{"value_with_lf", "Host", "a\nb"},
                                           refused_case{"value_with_crlf_injection", "X-Old",
                                                        "a\r\nSet-Cookie: x"},
                                           refused_case{"value_with_nul", "X-Old", "a\0b"sv},
                                           refused_case{"value_with_del", "X-Old", "a\x7f"}),
                         case_name);

// ---------------------------------------------------------------------------------------------
// fields: set, erase, clear

TEST(fields, set_replaces_all_at_the_first_position) {
  fields f;
  ASSERT_TRUE(f.add("A", "1"));
  ASSERT_TRUE(f.add("Vary", "Accept"));
  ASSERT_TRUE(f.add("B", "2"));
  ASSERT_TRUE(f.add("vary", "Accept-Encoding"));
  ASSERT_TRUE(f.add("C", "3"));
  ASSERT_TRUE(f.set("VARY", "*"));
  EXPECT_EQ(lines_of(f), (line_list{{"A", "1"}, {"VARY", "*"}, {"B", "2"}, {"C", "3"}}));
  EXPECT_EQ(f.count("Vary"), 1u);
}

TEST(fields, set_appends_when_absent) {
  fields f;
  ASSERT_TRUE(f.add("A", "1"));
  ASSERT_TRUE(f.set("B", "2"));
  EXPECT_EQ(lines_of(f), (line_list{{"A", "1"}, {"B", "2"}}));
}

TEST(fields, set_with_same_value_is_idempotent) {
  fields f;
  ASSERT_TRUE(f.add("A", "1"));
  ASSERT_TRUE(f.set("A", "1"));
  ASSERT_TRUE(f.set("A", "1"));
  EXPECT_EQ(lines_of(f), (line_list{{"A", "1"}}));
}

TEST(fields, arguments_may_view_the_fields_own_storage) {
  fields f;
  ASSERT_TRUE(f.add("A", "one"));
  ASSERT_TRUE(f.add("B", "two"));
  // Enough lines that the shared buffer has to grow while an argument still views it.
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(f.add(f.at(1).name, f.at(1).value));
  ASSERT_TRUE(f.set(f.at(0).name, *f.find("B")));
  ASSERT_TRUE(f.set(f.at(1).name, f.at(0).value));
  EXPECT_EQ(lines_of(f), (line_list{{"A", "two"}, {"B", "two"}}));
}

TEST(fields, erase_removes_every_line_and_counts_them) {
  fields f;
  ASSERT_TRUE(f.add("A", "1"));
  ASSERT_TRUE(f.add("Set-Cookie", "a=1"));
  ASSERT_TRUE(f.add("B", "2"));
  ASSERT_TRUE(f.add("set-cookie", "b=2"));
  EXPECT_EQ(f.erase("SET-COOKIE"), 2u);
  EXPECT_EQ(lines_of(f), (line_list{{"A", "1"}, {"B", "2"}}));
  EXPECT_EQ(f.erase("Set-Cookie"), 0u);
  EXPECT_EQ(f.erase("Missing"), 0u);
  EXPECT_EQ(f.size(), 2u);
}

TEST(fields, order_is_preserved_across_set_and_erase) {
  fields f;
  for (std::string_view name : {"A", "B", "C", "D", "E"}) ASSERT_TRUE(f.add(name, name));
  ASSERT_TRUE(f.add("b", "b2"));
  EXPECT_EQ(f.erase("C"), 1u);
  ASSERT_TRUE(f.set("B", "new"));
  ASSERT_TRUE(f.add("C", "again"));
  EXPECT_EQ(f.erase("A"), 1u);
  ASSERT_TRUE(f.set("E", "e2"));
  EXPECT_EQ(lines_of(f), (line_list{{"B", "new"}, {"D", "D"}, {"E", "e2"}, {"C", "again"}}));
}

TEST(fields, erase_if_keeps_order_of_the_rest) {
  fields f;
  ASSERT_TRUE(f.add("Connection", "close"));
  ASSERT_TRUE(f.add("Host", "h"));
  ASSERT_TRUE(f.add("Upgrade", "websocket"));
  ASSERT_TRUE(f.add("Accept", "*/*"));
  std::size_t removed = f.erase_if([](const field& x) { return traits_of(x.name).hop_by_hop; });
  EXPECT_EQ(removed, 2u);
  EXPECT_EQ(lines_of(f), (line_list{{"Host", "h"}, {"Accept", "*/*"}}));
}

TEST(fields, clear_empties_and_allows_reuse) {
  fields f;
  ASSERT_TRUE(f.add("A", "1"));
  ASSERT_TRUE(f.add("B", "2"));
  f.clear();
  EXPECT_TRUE(f.empty());
  EXPECT_EQ(f.find("A"), std::nullopt);
  ASSERT_TRUE(f.add("C", "3"));
  EXPECT_EQ(lines_of(f), (line_list{{"C", "3"}}));
}

TEST(fields, copies_are_independent) {
  fields a;
  ASSERT_TRUE(a.add("A", "1"));
  fields b = a;
  ASSERT_TRUE(b.set("A", "2"));
  ASSERT_TRUE(b.add("B", "3"));
  EXPECT_EQ(lines_of(a), (line_list{{"A", "1"}}));
  EXPECT_EQ(lines_of(b), (line_list{{"A", "2"}, {"B", "3"}}));
}

// The storage is herald's own: a copy of fields with abandoned bytes keeps every value, an
// assignment replaces them, and a moved-from object is empty and usable.
TEST(fields, copies_assignments_and_moves_keep_every_value) {
  fields a;
  ASSERT_TRUE(a.add("A", "1"));
  ASSERT_TRUE(a.add("B", "two"));
  ASSERT_TRUE(a.set("A", "three"));  // leaves "A1" behind, abandoned
  const line_list expected{{"A", "three"}, {"B", "two"}};
  fields copy = a;
  EXPECT_EQ(lines_of(copy), expected);
  ASSERT_TRUE(copy.add("C", "4"));
  EXPECT_EQ(lines_of(a), expected);
  fields assigned;
  ASSERT_TRUE(assigned.add("Z", "gone"));
  assigned = a;
  EXPECT_EQ(lines_of(assigned), expected);
  const fields& same = assigned;
  assigned = same;
  EXPECT_EQ(lines_of(assigned), expected);
  fields moved = std::move(a);
  EXPECT_EQ(lines_of(moved), expected);
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is specified empty
  ASSERT_TRUE(a.add("D", "5"));
  EXPECT_EQ(lines_of(a), (line_list{{"D", "5"}}));

  copy = std::move(moved);
  EXPECT_EQ(lines_of(copy), expected);
}

// Many sets and erases leave abandoned bytes behind; once the buffer must grow they are dropped,
// and every value must survive the move.
TEST(fields, values_survive_buffer_compaction) {
  fields f;
  line_list model;
  for (int round = 0; round < 500; ++round) {
    std::string name = "X-" + std::to_string(round % 7);
    std::string value(static_cast<std::size_t>(round % 50), static_cast<char>('a' + round % 26));
    if (round % 3 == 0) {
      ASSERT_TRUE(f.set(name, value));
      auto it = std::find_if(model.begin(), model.end(), [&](auto& l) { return l.first == name; });
      if (it == model.end()) {
        model.emplace_back(name, value);
      } else {
        *it = {name, value};
        model.erase(
            std::remove_if(std::next(it), model.end(), [&](auto& l) { return l.first == name; }),
            model.end());
      }
    } else if (round % 5 == 0) {
      f.erase(name);
      std::erase_if(model, [&](auto& l) { return l.first == name; });
    } else {
      ASSERT_TRUE(f.add(name, value));
      model.emplace_back(name, value);
    }
    ASSERT_EQ(lines_of(f), model) << "round " << round;
  }
}

// ---------------------------------------------------------------------------------------------
// fields: combined

struct combined_case {
  std::string_view name;  // test name
  std::string_view field_name;
  std::vector<std::string_view> values;  // lines added, in order
  std::optional<std::string> expected;
};

class combined_test : public ::testing::TestWithParam<combined_case> {};

TEST_P(combined_test, combines_by_the_field_traits) {
  const combined_case& c = GetParam();
  fields f;
  ASSERT_TRUE(f.add("X-Other", "o"));
  for (std::string_view v : c.values) {
    ASSERT_TRUE(f.add(c.field_name, v));
    ASSERT_TRUE(f.add("X-Between", "x"));
  }
  EXPECT_EQ(f.combined(c.field_name), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    rfc9110_5_3, combined_test,
    ::testing::Values(
        combined_case{"absent", "Accept", {}, std::nullopt},
        combined_case{"list_one_line", "Accept", {"text/html"}, "text/html"},
        combined_case{"list_in_order",
                      "Accept",
                      {"text/html", "*/*;q=0.1", "a/b"},
                      "text/html, */*;q=0.1, a/b"},
        combined_case{"list_with_empty_line", "Cache-Control", {"", "no-cache"}, ", no-cache"},
        combined_case{"unknown_joined_like_a_list", "X-Custom", {"a", "b"}, "a, b"},
        combined_case{"singleton_one_line", "Host", {"example.com"}, "example.com"},
        combined_case{"singleton_repeated_has_no_value", "Host", {"a", "b"}, std::nullopt},
        combined_case{"singleton_repeated_identically",
                      "Content-Type",
                      {"text/plain", "text/plain"},
                      std::nullopt},
        combined_case{"content_length_one_line", "Content-Length", {"42"}, "42"},
        combined_case{
            "content_length_repeated_left_to_parser", "Content-Length", {"42", "42"}, "42, 42"},
        combined_case{"cookie_joined_with_semicolon", "Cookie", {"a=1", "b=2"}, "a=1; b=2"},
        combined_case{"set_cookie_one_line_never_combined", "Set-Cookie", {"a=1"}, std::nullopt},
        combined_case{"set_cookie_never_combined",
                      "Set-Cookie",
                      {"a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "b=2"},
                      std::nullopt}),
    case_name);

TEST(fields, combined_matches_names_case_insensitively) {
  fields f;
  ASSERT_TRUE(f.add("accept-encoding", "gzip"));
  ASSERT_TRUE(f.add("ACCEPT-ENCODING", "br"));
  EXPECT_EQ(f.combined("Accept-Encoding"), "gzip, br");
}

TEST(fields, set_cookie_lines_are_read_one_by_one) {
  fields f;
  ASSERT_TRUE(f.add("Set-Cookie", "a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT"));
  ASSERT_TRUE(f.add("Set-Cookie", "b=2"));
  EXPECT_THAT(collect(f.values("set-cookie")),
              ElementsAre("a=1; Expires=Wed, 21 Oct 2015 07:28:00 GMT", "b=2"));
}

// ---------------------------------------------------------------------------------------------
// fields: contains_token

TEST(fields, contains_token_reads_all_lines_as_one_list) {
  fields f;
  ASSERT_TRUE(f.add("Connection", "keep-alive"));
  ASSERT_TRUE(f.add("connection", "Upgrade, HTTP2-Settings"));
  EXPECT_TRUE(f.contains_token("Connection", "upgrade"));
  EXPECT_TRUE(f.contains_token("CONNECTION", "keep-alive"));
  EXPECT_TRUE(f.contains_token("Connection", "http2-settings"));
  EXPECT_FALSE(f.contains_token("Connection", "close"));
  EXPECT_FALSE(f.contains_token("Upgrade", "upgrade"));
}

TEST(fields, contains_token_is_false_when_any_line_is_malformed) {
  fields f;
  ASSERT_TRUE(f.add("Connection", "close"));
  ASSERT_TRUE(f.add("Connection", "\"unterminated"));
  EXPECT_FALSE(f.contains_token("Connection", "close"));
}

// ---------------------------------------------------------------------------------------------
// Allocation contracts

TEST(fields, lookups_do_not_allocate) {
  SKIP_UNLESS_COUNTING_ALLOCATIONS();
  fields f;
  ASSERT_TRUE(f.add("Host", "a-rather-long-host-name.example.com"));
  ASSERT_TRUE(f.add("Connection", "keep-alive, Upgrade"));
  ASSERT_TRUE(f.add("Accept", "text/html, application/xhtml+xml, */*;q=0.8"));
  ASSERT_TRUE(f.add("accept", "image/webp"));
  std::size_t seen = 0;
  EXPECT_EQ(allocations_during([&] {
              EXPECT_TRUE(f.find("host").has_value());
              EXPECT_FALSE(f.find("Missing").has_value());
              EXPECT_EQ(f.count("ACCEPT"), 2u);
              EXPECT_TRUE(f.contains("connection"));
              EXPECT_TRUE(f.contains_token("Connection", "upgrade"));
              for (std::string_view v : f.values("Accept")) seen += v.size();
              for (auto [name, value] : f) seen += name.size() + value.size();
              EXPECT_TRUE(list_contains_token("a, b, close", "close"));
              std::optional<list_elements> l = list_elements::parse("a, \"b,c\", d");
              for (std::string_view e : *l) seen += e.size();
            }),
            0u);
  EXPECT_GT(seen, 0u);
}

TEST(fields, erase_does_not_allocate) {
  SKIP_UNLESS_COUNTING_ALLOCATIONS();
  fields f;
  ASSERT_TRUE(f.add("A", "1"));
  ASSERT_TRUE(f.add("B", "2"));
  EXPECT_EQ(allocations_during([&] { EXPECT_EQ(f.erase("a"), 1u); }), 0u);
}

TEST(fields, adding_after_reserve_does_not_allocate) {
  SKIP_UNLESS_COUNTING_ALLOCATIONS();
  fields f;
  f.reserve(16, 1024);
  EXPECT_EQ(allocations_during([&] {
              for (int i = 0; i < 16; ++i)
                EXPECT_TRUE(f.add("X-Field-With-A-Long-Name", "and a value that is not short"));
            }),
            0u);
  EXPECT_EQ(f.size(), 16u);
}

TEST(fields, cleared_fields_reuse_their_storage) {
  SKIP_UNLESS_COUNTING_ALLOCATIONS();
  fields f;
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(f.add("X-Some-Header", "some value that is long"));
  f.clear();
  EXPECT_EQ(allocations_during([&] {
              for (int i = 0; i < 20; ++i)
                EXPECT_TRUE(f.add("X-Some-Header", "some value that is long"));
            }),
            0u);
}

}  // namespace
}  // namespace herald::core
