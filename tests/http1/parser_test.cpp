#include <herald/http1/parser.hpp>

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <variant>

#include "support/test_cases.hpp"

namespace herald::http1 {
namespace {

using namespace std::string_literals;
using herald::test::case_name;
using herald::test::PrintTo;

// What parsing a whole request head should give.
struct outcome {
  parse_state state;
  error failure = error::bare_lf;  // meaningful when rejected
};
outcome accepted() { return {parse_state::complete}; }
outcome incomplete() { return {parse_state::need_more}; }
outcome rejected(error e) { return {parse_state::rejected, e}; }

struct request_case {
  std::string name;
  std::string input;
  outcome expected;
};

class RequestRules : public testing::TestWithParam<request_case> {};

TEST_P(RequestRules, GiveTheExpectedVerdict) {
  const request_case& c = GetParam();
  request_parser parser;
  parse_result r = parser.parse(c.input);
  ASSERT_EQ(r.state, c.expected.state) << (r.state == parse_state::rejected ? token(r.failure) : "");
  if (r.state == parse_state::rejected) {
    EXPECT_EQ(r.failure, c.expected.failure)
        << "got " << token(r.failure) << ", want " << token(c.expected.failure);
    EXPECT_TRUE(info(r.failure).close);
  }
}

#define REQ(line, fields) line "\r\n" fields "\r\n"

// RFC 9112 §2–§3: lines and the request line.
INSTANTIATE_TEST_SUITE_P(
    RequestLine, RequestRules,
    testing::Values(
        request_case{"SimpleGet", REQ("GET / HTTP/1.1", "Host: a\r\n"), accepted()},
        request_case{"Http10WithoutHost", REQ("GET / HTTP/1.0", ""), accepted()},
        request_case{"Http11WithoutHost_RFC9112_3_2", REQ("GET / HTTP/1.1", ""),
                     rejected(error::missing_host)},
        request_case{"LeadingEmptyLinesIgnored_RFC9112_2_2",
                     "\r\n\r\n" REQ("GET / HTTP/1.1", "Host: a\r\n"), accepted()},
        request_case{"BareLfInRequestLine_RFC9112_2_2", "GET / HTTP/1.1\nHost: a\r\n\r\n",
                     rejected(error::bare_lf)},
        request_case{"BareLfEndsHead", "GET / HTTP/1.1\r\nHost: a\n\r\n", rejected(error::bare_lf)},
        request_case{"LeadingBareLf", "\nGET / HTTP/1.1\r\nHost: a\r\n\r\n",
                     rejected(error::bare_lf)},
        request_case{"BareCrInTarget", REQ("GET /a\rb HTTP/1.1", "Host: a\r\n"),
                     rejected(error::bare_cr)},
        request_case{"Http20IsUnsupported_RFC9110_15_6_6", REQ("GET / HTTP/2.0", "Host: a\r\n"),
                     rejected(error::unsupported_version)},
        request_case{"Http30IsUnsupported", REQ("GET / HTTP/3.0", "Host: a\r\n"),
                     rejected(error::unsupported_version)},
        request_case{"Http09IsUnsupported", REQ("GET / HTTP/0.9", "Host: a\r\n"),
                     rejected(error::unsupported_version)},
        request_case{"Http2Preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
                     rejected(error::unsupported_version)},
        request_case{"Http12IsHandledAs11_RFC9110_6_2", REQ("GET / HTTP/1.2", "Host: a\r\n"),
                     accepted()},
        request_case{"TwoDigitMinor", REQ("GET / HTTP/1.10", "Host: a\r\n"),
                     rejected(error::invalid_version)},
        request_case{"WrongProtocolName", REQ("GET / HTTX/1.1", "Host: a\r\n"),
                     rejected(error::invalid_version)},
        request_case{"LowerCaseProtocolName", REQ("GET / http/1.1", "Host: a\r\n"),
                     rejected(error::invalid_version)},
        request_case{"MissingVersion", REQ("GET /", "Host: a\r\n"),
                     rejected(error::invalid_request_line)},
        request_case{"TwoSpacesBeforeTarget", REQ("GET  / HTTP/1.1", "Host: a\r\n"),
                     rejected(error::invalid_request_line)},
        request_case{"TrailingSpace", REQ("GET / HTTP/1.1 ", "Host: a\r\n"),
                     rejected(error::invalid_request_line)},
        request_case{"SpaceInTarget", REQ("GET /a b HTTP/1.1", "Host: a\r\n"),
                     rejected(error::invalid_request_line)},
        request_case{"TabSeparator", REQ("GET\t/ HTTP/1.1", "Host: a\r\n"),
                     rejected(error::invalid_method)},
        request_case{"MethodWithInvalidCharacter", REQ("GE(T / HTTP/1.1", "Host: a\r\n"),
                     rejected(error::invalid_method)},
        request_case{"UnknownMethodIsParsed_For501", REQ("BREW / HTTP/1.1", "Host: a\r\n"),
                     accepted()},
        request_case{"LowerCaseMethodIsAnotherMethod", REQ("get / HTTP/1.1", "Host: a\r\n"),
                     accepted()},
        request_case{"OverlongMethodIs501_RFC9112_3", "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
                     rejected(error::method_too_long)},
        request_case{"AbsoluteForm", REQ("GET http://example.com/x HTTP/1.1", "Host: a\r\n"),
                     accepted()},
        request_case{"AbsoluteFormWithoutHost", REQ("GET http:///x HTTP/1.1", "Host: a\r\n"),
                     rejected(error::invalid_target)},
        request_case{"AbsoluteFormWithUserinfo",
                     REQ("GET http://u@example.com/ HTTP/1.1", "Host: a\r\n"),
                     rejected(error::invalid_target)},
        request_case{"AsteriskForOptions", REQ("OPTIONS * HTTP/1.1", "Host: a\r\n"), accepted()},
        request_case{"AsteriskForGet_RFC9112_3_2_4", REQ("GET * HTTP/1.1", "Host: a\r\n"),
                     rejected(error::target_form_mismatch)},
        request_case{"AuthorityFormForConnect", REQ("CONNECT a.example:443 HTTP/1.1",
                                                    "Host: a.example:443\r\n"),
                     accepted()},
        request_case{"OriginFormForConnect_RFC9112_3_2_3", REQ("CONNECT / HTTP/1.1", "Host: a\r\n"),
                     rejected(error::target_form_mismatch)},
        request_case{"FragmentInTarget", REQ("GET /a#b HTTP/1.1", "Host: a\r\n"),
                     rejected(error::invalid_target)},
        request_case{"NonAsciiInTarget", REQ("GET /caf\xc3\xa9 HTTP/1.1", "Host: a\r\n"),
                     rejected(error::invalid_target)},
        request_case{"BadPercentEncodingInTarget", REQ("GET /%zz HTTP/1.1", "Host: a\r\n"),
                     rejected(error::invalid_target)},
        request_case{"Incomplete", "GET / HTTP/1.1\r\nHost: a\r\n", incomplete()},
        request_case{"IncompleteAfterCr", "GET / HTTP/1.1\r\nHost: a\r\n\r", incomplete()},
        request_case{"OnlyACr", "\r", incomplete()}),
    case_name);

// RFC 9112 §5, RFC 9110 §5: field lines.
INSTANTIATE_TEST_SUITE_P(
    FieldLines, RequestRules,
    testing::Values(
        request_case{"ObsFold_RFC9112_5_2", REQ("GET / HTTP/1.1", "Host: a\r\nX: a\r\n b\r\n"),
                     rejected(error::obs_fold)},
        request_case{"WhitespaceAfterRequestLine_RFC9112_2_2",
                     REQ("GET / HTTP/1.1", " Host: a\r\n"), rejected(error::obs_fold)},
        request_case{"SpaceBeforeColon_RFC9112_5_1", REQ("GET / HTTP/1.1", "Host : a\r\n"),
                     rejected(error::whitespace_before_colon)},
        request_case{"TabBeforeColon", REQ("GET / HTTP/1.1", "Host\t: a\r\n"),
                     rejected(error::whitespace_before_colon)},
        request_case{"NoColon", REQ("GET / HTTP/1.1", "Host: a\r\nJunk\r\n"),
                     rejected(error::missing_colon)},
        request_case{"EmptyName", REQ("GET / HTTP/1.1", "Host: a\r\n: v\r\n"),
                     rejected(error::invalid_field_name)},
        request_case{"InvalidNameCharacter", REQ("GET / HTTP/1.1", "Host: a\r\nX(y): v\r\n"),
                     rejected(error::invalid_field_name)},
        request_case{"NulInValue", REQ("GET / HTTP/1.1", "Host: a\r\nX: a\0b\r\n"s),
                     rejected(error::invalid_field_value)},
        request_case{"BareCrInValue", REQ("GET / HTTP/1.1", "Host: a\r\nX: a\rb\r\n"),
                     rejected(error::bare_cr)},
        request_case{"VerticalTabInValue", REQ("GET / HTTP/1.1", "Host: a\r\nX: a\vb\r\n"),
                     rejected(error::invalid_field_value)},
        request_case{"DelInValue", REQ("GET / HTTP/1.1", "Host: a\r\nX: a\x7f\r\n"),
                     rejected(error::invalid_field_value)},
        request_case{"ObsTextInValueIsAllowed", REQ("GET / HTTP/1.1", "Host: a\r\nX: caf\xe9\r\n"),
                     accepted()},
        request_case{"EmptyValueIsAllowed", REQ("GET / HTTP/1.1", "Host: a\r\nX:\r\n"),
                     accepted()},
        request_case{"DuplicateHost_RFC9112_3_2", REQ("GET / HTTP/1.1", "Host: a\r\nHost: a\r\n"),
                     rejected(error::duplicate_host)},
        request_case{"DuplicateHostInHttp10", REQ("GET / HTTP/1.0", "Host: a\r\nhost: b\r\n"),
                     rejected(error::duplicate_host)},
        request_case{"HostWithSpace", REQ("GET / HTTP/1.1", "Host: a b\r\n"),
                     rejected(error::invalid_host)},
        request_case{"HostWithUserinfo", REQ("GET / HTTP/1.1", "Host: u@a\r\n"),
                     rejected(error::invalid_host)},
        request_case{"HostWithBadPort", REQ("GET / HTTP/1.1", "Host: a:99999\r\n"),
                     rejected(error::invalid_host)},
        request_case{"HostWithLetterPort", REQ("GET / HTTP/1.1", "Host: a:b\r\n"),
                     rejected(error::invalid_host)},
        request_case{"HostIpv6", REQ("GET / HTTP/1.1", "Host: [::1]:8080\r\n"), accepted()}),
    case_name);

// RFC 9112 §6: message body length, and the request-smuggling vectors of the literature
// (CL.TE, TE.CL, TE.TE obfuscations). Every ambiguous framing is rejected and closes.
INSTANTIATE_TEST_SUITE_P(
    Smuggling, RequestRules,
    testing::Values(
        request_case{"ContentLength", REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: 5\r\n"),
                     accepted()},
        request_case{"Chunked", REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding: chunked\r\n"),
                     accepted()},
        request_case{"ChunkedUpperCase",
                     REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding: CHUNKED\r\n"),
                     accepted()},
        request_case{"ClTe_BothPresent_RFC9112_6_3",
                     REQ("POST / HTTP/1.1",
                         "Host: a\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n"),
                     rejected(error::transfer_encoding_and_content_length)},
        request_case{"TeCl_BothPresent",
                     REQ("POST / HTTP/1.1",
                         "Host: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n"),
                     rejected(error::transfer_encoding_and_content_length)},
        request_case{"TeXchunked", REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding: xchunked\r\n"),
                     rejected(error::chunked_not_final)},
        request_case{"TeSpaceBeforeColon",
                     REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding : chunked\r\n"),
                     rejected(error::whitespace_before_colon)},
        request_case{"TeChunkedThenIdentity",
                     REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding: chunked, identity\r\n"),
                     rejected(error::chunked_not_final)},
        request_case{"TeGzipChunkedIsNotImplemented_RFC9112_6_1",
                     REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding: gzip, chunked\r\n"),
                     rejected(error::unknown_transfer_coding)},
        request_case{"TeUnknownThenChunked",
                     REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding: foo, chunked\r\n"),
                     rejected(error::unknown_transfer_coding)},
        request_case{"TeChunkedTwice",
                     REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding: chunked, chunked\r\n"),
                     rejected(error::chunked_applied_twice)},
        request_case{"TeChunkedTwiceOnTwoLines",
                     REQ("POST / HTTP/1.1",
                         "Host: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"),
                     rejected(error::chunked_applied_twice)},
        request_case{"TeTabBeforeValue",
                     REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding:\tchunked\r\n"),
                     accepted()},
        request_case{"TeVerticalTab",
                     REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding:\vchunked\r\n"),
                     rejected(error::invalid_field_value)},
        request_case{"TeObsFolded",
                     REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding:\r\n chunked\r\n"),
                     rejected(error::obs_fold)},
        request_case{"TeQuoted",
                     REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding: \"chunked\"\r\n"),
                     rejected(error::invalid_transfer_encoding)},
        request_case{"TeEmpty", REQ("POST / HTTP/1.1", "Host: a\r\nTransfer-Encoding:\r\n"),
                     rejected(error::invalid_transfer_encoding)},
        request_case{"TeInHttp10_RFC9112_6_1",
                     REQ("POST / HTTP/1.0", "Transfer-Encoding: chunked\r\n"),
                     rejected(error::transfer_encoding_in_http10)},
        request_case{"ClPlusSign", REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: +5\r\n"),
                     rejected(error::invalid_content_length)},
        request_case{"ClNegative", REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: -1\r\n"),
                     rejected(error::invalid_content_length)},
        request_case{"ClHex", REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: 0x5\r\n"),
                     rejected(error::invalid_content_length)},
        request_case{"ClDecimalPoint", REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: 5.0\r\n"),
                     rejected(error::invalid_content_length)},
        request_case{"ClInnerSpace", REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: 1 2\r\n"),
                     rejected(error::invalid_content_length)},
        request_case{"ClEmpty", REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length:\r\n"),
                     rejected(error::invalid_content_length)},
        request_case{"ClOverflow",
                     REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: 99999999999999999999\r\n"),
                     rejected(error::invalid_content_length)},
        request_case{"ClTooLarge_413",
                     REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: 99999999999\r\n"),
                     rejected(error::content_too_large)},
        request_case{"ClDuplicateSame_RFC9110_8_6",
                     REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n"),
                     accepted()},
        request_case{"ClListSame", REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: 5, 5\r\n"),
                     accepted()},
        request_case{"ClDuplicateDifferent",
                     REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n"),
                     rejected(error::conflicting_content_length)},
        request_case{"ClListDifferent",
                     REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length: 5, 6\r\n"),
                     rejected(error::conflicting_content_length)},
        request_case{"ClSpaceBeforeColon",
                     REQ("POST / HTTP/1.1", "Host: a\r\nContent-Length : 5\r\n"),
                     rejected(error::whitespace_before_colon)}),
    case_name);

TEST(RequestParser, ExposesTheHeadAsViews) {
  std::string input = "POST /p/a?x=1&y HTTP/1.1\r\nHost: example.com:8080\r\n"
                      "Content-Length: 3\r\nX-Multi: a\r\nx-multi: b\r\nConnection: keep-alive\r\n\r\nabc";
  request_parser parser;
  parse_result r = parser.parse(input);
  ASSERT_EQ(r.state, parse_state::complete);
  EXPECT_EQ(input.substr(r.consumed), "abc");
  const request_head& h = parser.head();
  EXPECT_EQ(h.method, "POST");
  EXPECT_EQ(h.known_method, core::method::post);
  EXPECT_EQ(h.target, "/p/a?x=1&y");
  EXPECT_EQ(h.path, "/p/a");
  EXPECT_TRUE(h.has_query);
  EXPECT_EQ(h.query, "x=1&y");
  EXPECT_EQ(h.authority, "example.com:8080");
  EXPECT_EQ(h.version_minor, 1);
  EXPECT_EQ(h.framing, body_framing::content_length);
  EXPECT_EQ(h.content_length, 3u);
  EXPECT_EQ(h.count("x-multi"), 2u);
  EXPECT_EQ(h.find("X-MULTI"), "a");
  EXPECT_TRUE(h.keep_alive);
  // Views, not copies.
  EXPECT_GE(h.method.data(), input.data());
  EXPECT_LT(h.method.data(), input.data() + input.size());
}

TEST(RequestParser, AbsoluteFormAuthorityOverridesHost_RFC9112_3_2_2) {
  request_parser parser;
  ASSERT_EQ(parser.parse("GET http://origin.example:81/x?q HTTP/1.1\r\nHost: other\r\n\r\n").state,
            parse_state::complete);
  EXPECT_EQ(parser.head().authority, "origin.example:81");
  EXPECT_EQ(parser.head().scheme, "http");
  EXPECT_EQ(parser.head().path, "/x");
  EXPECT_EQ(parser.head().query, "q");
}

struct persistence_case {
  std::string name;
  std::string input;
  bool keep_alive;
};

class Persistence : public testing::TestWithParam<persistence_case> {};

TEST_P(Persistence, FollowsRfc9112_9_3) {
  request_parser parser;
  ASSERT_EQ(parser.parse(GetParam().input).state, parse_state::complete);
  EXPECT_EQ(parser.head().keep_alive, GetParam().keep_alive);
}

INSTANTIATE_TEST_SUITE_P(
    Connection, Persistence,
    testing::Values(
        persistence_case{"Http11Default", REQ("GET / HTTP/1.1", "Host: a\r\n"), true},
        persistence_case{"Http11Close", REQ("GET / HTTP/1.1", "Host: a\r\nConnection: close\r\n"),
                         false},
        persistence_case{"Http11CloseInList",
                         REQ("GET / HTTP/1.1", "Host: a\r\nConnection: foo, Close\r\n"), false},
        persistence_case{"Http10Default", REQ("GET / HTTP/1.0", ""), false},
        persistence_case{"Http10KeepAlive", REQ("GET / HTTP/1.0", "Connection: Keep-Alive\r\n"),
                         true},
        persistence_case{"Http10KeepAliveAndClose",
                         REQ("GET / HTTP/1.0", "Connection: keep-alive, close\r\n"), false}),
    case_name);

// ----- limits --------------------------------------------------------------------------------

TEST(RequestLimits, RequestLineAtTheLimitIsAcceptedAndBeyondIs414) {
  limits l;
  l.max_request_line = 100;
  std::string prefix = "GET /";
  std::string suffix = " HTTP/1.1";
  std::string fits(100 - prefix.size() - suffix.size(), 'a');
  request_parser ok(l);
  EXPECT_EQ(ok.parse(prefix + fits + suffix + "\r\nHost: a\r\n\r\n").state, parse_state::complete);
  request_parser too_long(l);
  parse_result r = too_long.parse(prefix + fits + "a" + suffix + "\r\nHost: a\r\n\r\n");
  ASSERT_EQ(r.state, parse_state::rejected);
  EXPECT_EQ(r.failure, error::request_line_too_long);
  EXPECT_EQ(status_of(r.failure), core::status::uri_too_long);
}

TEST(RequestLimits, LongRequestLineIsRejectedBeforeItEnds) {
  limits l;
  l.max_request_line = 100;
  request_parser parser(l);
  parse_result r = parser.parse("GET /" + std::string(200, 'a'));
  ASSERT_EQ(r.state, parse_state::rejected);
  EXPECT_EQ(r.failure, error::request_line_too_long);
}

TEST(RequestLimits, DefaultRequestLineIsAtLeastTheRfcMinimum) {
  // RFC 9112 §3: "a minimum request-line length of 8000 octets".
  EXPECT_GE(limits{}.max_request_line, 8000u);
  request_parser parser;
  std::string target = "/" + std::string(7980, 'x');
  EXPECT_EQ(parser.parse("GET " + target + " HTTP/1.1\r\nHost: a\r\n\r\n").state,
            parse_state::complete);
}

TEST(RequestLimits, HeaderSectionBeyondTheLimitIs431) {
  limits l;
  l.max_header_section = 200;
  request_parser parser(l);
  std::string fields = "Host: a\r\n";
  while (fields.size() < 300) fields += "X-Filler: 0123456789\r\n";
  parse_result r = parser.parse("GET / HTTP/1.1\r\n" + fields + "\r\n");
  ASSERT_EQ(r.state, parse_state::rejected);
  EXPECT_EQ(r.failure, error::header_section_too_large);
  EXPECT_EQ(status_of(r.failure), core::status::request_header_fields_too_large);

  request_parser unfinished(l);
  r = unfinished.parse("GET / HTTP/1.1\r\nX: " + std::string(300, 'a'));
  ASSERT_EQ(r.state, parse_state::rejected);
  EXPECT_EQ(r.failure, error::header_section_too_large);
}

TEST(RequestLimits, TooManyFieldsIs431) {
  limits l;
  l.max_field_count = 10;
  std::string fields = "Host: a\r\n";
  for (int i = 0; i < 10; ++i) fields += "X: y\r\n";
  request_parser parser(l);
  parse_result r = parser.parse("GET / HTTP/1.1\r\n" + fields + "\r\n");
  ASSERT_EQ(r.state, parse_state::rejected);
  EXPECT_EQ(r.failure, error::too_many_fields);
}

// ----- incremental parsing -------------------------------------------------------------------

// The result of feeding `input` in pieces of the given sizes, appending to one buffer.
struct fed_result {
  parse_result result;
  std::string method, target, host;
  std::vector<std::pair<std::string, std::string>> fields;
};

fed_result feed(std::string_view input, const std::vector<std::size_t>& cuts) {
  request_parser parser;
  std::string buffer;
  parse_result r;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    buffer.append(input.substr(at, cut - at));
    at = cut;
    r = parser.parse(buffer);
    if (r.state != parse_state::need_more) break;
  }
  if (r.state == parse_state::need_more && at < input.size()) {
    buffer.append(input.substr(at));
    r = parser.parse(buffer);
  }
  fed_result out{r, {}, {}, {}, {}};
  if (r.state == parse_state::complete) {
    out.method = parser.head().method;
    out.target = parser.head().target;
    out.host = parser.head().authority;
    for (const field_line& f : parser.head().fields) out.fields.emplace_back(f.name, f.value);
  }
  return out;
}

void expect_same(const fed_result& a, const fed_result& b, const std::string& how) {
  ASSERT_EQ(a.result.state, b.result.state) << how;
  EXPECT_EQ(a.result.consumed, b.result.consumed) << how;
  if (a.result.state == parse_state::rejected) {
    EXPECT_EQ(a.result.failure, b.result.failure) << how;
  }
  EXPECT_EQ(a.method, b.method) << how;
  EXPECT_EQ(a.target, b.target) << how;
  EXPECT_EQ(a.host, b.host) << how;
  EXPECT_EQ(a.fields, b.fields) << how;
}

const std::vector<std::string>& split_corpus() {
  static const std::vector<std::string> corpus = {
      "GET /index.html HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: test\r\n"
      "Accept: */*\r\n\r\n",
      "\r\n\r\nPOST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc",
      "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n",
      "GET / HTTP/1.1\nHost: a\r\n\r\n",
      "ABCDEFGHIJKLMNOPQRSTUVWXYZ / HTTP/1.1\r\n\r\n",
      "GET / HTTP/2.0\r\nHost: a\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
  };
  return corpus;
}

TEST(RequestParserSplits, EverySingleSplitGivesTheWholeResult) {
  for (const std::string& input : split_corpus()) {
    fed_result whole = feed(input, {input.size()});
    for (std::size_t cut = 0; cut <= input.size(); ++cut)
      expect_same(whole, feed(input, {cut, input.size()}), "cut at " + std::to_string(cut));
  }
}

TEST(RequestParserSplits, ByteByByteGivesTheWholeResult) {
  for (const std::string& input : split_corpus()) {
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i <= input.size(); ++i) cuts.push_back(i);
    expect_same(feed(input, {input.size()}), feed(input, cuts), "byte by byte: " + input);
  }
}

TEST(RequestParserSplits, RandomChunksGiveTheWholeResult) {
  std::mt19937 rng(12345);
  for (const std::string& input : split_corpus()) {
    fed_result whole = feed(input, {input.size()});
    for (int round = 0; round < 200; ++round) {
      std::vector<std::size_t> cuts;
      std::size_t at = 0;
      while (at < input.size()) {
        at = std::min(input.size(), at + 1 + rng() % 16);
        cuts.push_back(at);
      }
      expect_same(whole, feed(input, cuts), "random round " + std::to_string(round));
    }
  }
}

TEST(RequestParser, PipelinedRequestsParseOneAfterAnother) {
  std::string buffer =
      "GET /1 HTTP/1.1\r\nHost: a\r\n\r\n"
      "POST /2 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi"
      "GET /3 HTTP/1.1\r\nHost: a\r\n\r\n";
  request_parser parser;
  body_decoder body;
  std::vector<std::string> seen;
  std::string_view rest = buffer;
  while (!rest.empty()) {
    parse_result r = parser.parse(rest);
    ASSERT_EQ(r.state, parse_state::complete);
    seen.emplace_back(parser.head().target);
    rest.remove_prefix(r.consumed);
    body.start(parser.head().framing, parser.head().content_length);
    while (!body.done()) {
      auto piece = body.decode(rest);
      ASSERT_FALSE(piece.failure);
      rest.remove_prefix(piece.consumed);
    }
    parser.reset();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"/1", "/2", "/3"}));
}

// ----- responses -----------------------------------------------------------------------------

struct response_case {
  std::string name;
  std::string input;
  std::string method;
  parse_state state;
  int status;
  body_framing framing;
  bool keep_alive;
};

class ResponseRules : public testing::TestWithParam<response_case> {};

TEST_P(ResponseRules, FrameAsRfc9112_6_3Says) {
  const response_case& c = GetParam();
  response_parser parser;
  parse_result r = parser.parse(c.input, c.method);
  ASSERT_EQ(r.state, c.state) << (r.state == parse_state::rejected ? token(r.failure) : "");
  if (r.state != parse_state::complete) return;
  EXPECT_EQ(parser.head().status, c.status);
  EXPECT_EQ(parser.head().framing, c.framing);
  EXPECT_EQ(parser.head().keep_alive, c.keep_alive);
}

INSTANTIATE_TEST_SUITE_P(
    Framing, ResponseRules,
    testing::Values(
        response_case{"ContentLength", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nabc", "GET",
                      parse_state::complete, 200, body_framing::content_length, true},
        response_case{"Chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "GET",
                      parse_state::complete, 200, body_framing::chunked, true},
        response_case{"TeOverridesClAndCloses",
                      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n",
                      "GET", parse_state::complete, 200, body_framing::chunked, false},
        response_case{"TeNotChunkedRunsUntilClose",
                      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n", "GET",
                      parse_state::complete, 200, body_framing::until_close, false},
        response_case{"NoLengthRunsUntilClose", "HTTP/1.1 200 OK\r\n\r\n", "GET",
                      parse_state::complete, 200, body_framing::until_close, false},
        response_case{"HeadHasNoContent", "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", "HEAD",
                      parse_state::complete, 200, body_framing::none, true},
        response_case{"Status204HasNoContent", "HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n",
                      "GET", parse_state::complete, 204, body_framing::none, true},
        response_case{"Status304HasNoContent", "HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n",
                      "GET", parse_state::complete, 304, body_framing::none, true},
        response_case{"InterimHasNoContent", "HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n",
                      "GET", parse_state::complete, 103, body_framing::none, true},
        response_case{"SwitchingProtocolsIsATunnel",
                      "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\n\r\n", "GET",
                      parse_state::complete, 101, body_framing::tunnel, true},
        response_case{"ConnectSuccessIsATunnel", "HTTP/1.1 200 OK\r\n\r\n", "CONNECT",
                      parse_state::complete, 200, body_framing::tunnel, true},
        response_case{"ConflictingContentLengthIsAnError",
                      "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\n", "GET",
                      parse_state::rejected, 0, body_framing::none, false},
        response_case{"BareLfIsTolerated", "HTTP/1.1 200 OK\nContent-Length: 0\n\n", "GET",
                      parse_state::complete, 200, body_framing::none, true},
        response_case{"MissingReason", "HTTP/1.1 404\r\nContent-Length: 0\r\n\r\n", "GET",
                      parse_state::complete, 404, body_framing::none, true},
        response_case{"AnyThreeDigits", "HTTP/1.1 999 Odd\r\nContent-Length: 0\r\n\r\n", "GET",
                      parse_state::complete, 999, body_framing::none, true},
        response_case{"Http10DefaultCloses", "HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", "GET",
                      parse_state::complete, 200, body_framing::none, false},
        response_case{"TwoDigitStatus", "HTTP/1.1 20 OK\r\n\r\n", "GET", parse_state::rejected, 0,
                      body_framing::none, false},
        response_case{"NotHttp", "ICY 200 OK\r\n\r\n", "GET", parse_state::rejected, 0,
                      body_framing::none, false},
        response_case{"Incomplete", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\n", "GET",
                      parse_state::need_more, 0, body_framing::none, false}),
    case_name);

TEST(ResponseParser, ReadsReasonAndFields) {
  response_parser parser;
  std::string input = "HTTP/1.1 301 Moved Permanently\r\nLocation: /new\r\nContent-Length: 0\r\n\r\n";
  parse_result r = parser.parse(input, "GET");
  ASSERT_EQ(r.state, parse_state::complete);
  EXPECT_EQ(r.consumed, input.size());
  EXPECT_EQ(parser.head().reason, "Moved Permanently");
  EXPECT_EQ(parser.head().find("location"), "/new");
}

}  // namespace
}  // namespace herald::http1
