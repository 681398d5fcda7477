// multipart/form-data (src/core/multipart.cpp; RFC 7578 over RFC 2046 §5.1.1): fields and
// files, the preamble and epilogue ignored, transport padding after a delimiter, content that
// holds CRLFs and near-delimiters, the boundary's length limits, and malformed bodies (no close
// delimiter, a part without a form-data Content-Disposition or name, a broken header line).

#include <herald/core/multipart.hpp>

#include <gtest/gtest.h>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/test_cases.hpp"

namespace herald::core {
namespace {

using herald::test::case_name;
using herald::test::PrintTo;

// The body an HTML form with a text field and a file sends (RFC 7578 §4).
const std::string form_body =
    "--AaB03x\r\n"
    "Content-Disposition: form-data; name=\"submit-name\"\r\n"
    "\r\n"
    "Larry\r\n"
    "--AaB03x\r\n"
    "Content-Disposition: form-data; name=\"files\"; filename=\"file1.txt\"\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "... contents of file1.txt ...\r\n"
    "--AaB03x--\r\n";

TEST(Multipart, FieldAndFile) {
  auto parts = parse_multipart_form(form_body, "AaB03x");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].name, "submit-name");
  EXPECT_FALSE((*parts)[0].filename);
  EXPECT_EQ((*parts)[0].content_type, "");
  EXPECT_EQ((*parts)[0].content, "Larry");
  EXPECT_EQ((*parts)[1].name, "files");
  EXPECT_EQ((*parts)[1].filename, "file1.txt");
  EXPECT_EQ((*parts)[1].content_type, "text/plain");
  EXPECT_EQ((*parts)[1].content, "... contents of file1.txt ...");
}

TEST(Multipart, ContentViewsPointIntoTheBody) {
  auto parts = parse_multipart_form(form_body, "AaB03x");
  ASSERT_TRUE(parts);
  ASSERT_FALSE(parts->empty());
  const char* first = (*parts)[0].content.data();
  EXPECT_GE(first, form_body.data());
  EXPECT_LT(first, form_body.data() + form_body.size());
}

TEST(Multipart, PreambleAndEpilogueAreIgnored) {
  const std::string body =
      "This is the preamble.\r\nIt may mention --AaB03x in the middle of a line.\r\n"
      "--AaB03x\r\n"
      "Content-Disposition: form-data; name=\"a\"\r\n\r\n"
      "1\r\n"
      "--AaB03x--\r\n"
      "This is the epilogue.\r\n--AaB03x\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\n2\r\n";
  auto parts = parse_multipart_form(body, "AaB03x");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "a");
  EXPECT_EQ((*parts)[0].content, "1");
}

TEST(Multipart, CloseDelimiterWithoutFinalCrlf) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b--";
  auto parts = parse_multipart_form(body, "b");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].content, "x");
}

TEST(Multipart, TransportPaddingAfterTheDelimiter) {
  // RFC 2046 §5.1.1: LWSP may follow a boundary before its CRLF.
  const std::string body =
      "--b  \t\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--b \r\n"
      "Content-Disposition: form-data; name=\"c\"\r\n\r\ny\r\n--b--";
  auto parts = parse_multipart_form(body, "b");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].content, "x");
  EXPECT_EQ((*parts)[1].content, "y");
}

TEST(Multipart, ContentKeepsCrlfsAndLooksalikes) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"x.bin\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n"
      "line1\r\n\r\n--c\r\n-b\r\nend\r\n"
      "--b--\r\n";
  auto parts = parse_multipart_form(body, "b");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].content, "line1\r\n\r\n--c\r\n-b\r\nend");
  EXPECT_EQ((*parts)[0].content_type, "application/octet-stream");
}

TEST(Multipart, EmptyContentAndEmptyFilename) {
  const std::string body =
      "--b\r\nContent-Disposition: form-data; name=\"empty\"\r\n\r\n\r\n"
      "--b\r\nContent-Disposition: form-data; name=\"upload\"; filename=\"\"\r\n"
      "Content-Type: application/octet-stream\r\n\r\n\r\n--b--";
  auto parts = parse_multipart_form(body, "b");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 2u);
  EXPECT_EQ((*parts)[0].content, "");
  EXPECT_FALSE((*parts)[0].filename);
  ASSERT_TRUE((*parts)[1].filename);
  EXPECT_EQ(*(*parts)[1].filename, "");
}

TEST(Multipart, DispositionParametersAreCaseInsensitiveAndUnquoted) {
  const std::string body =
      "--b\r\ncontent-disposition: Form-Data; NAME=token; FileName=\"a \\\"q\\\".txt\"\r\n"
      "X-Other: ignored\r\n\r\nz\r\n--b--";
  auto parts = parse_multipart_form(body, "b");
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].name, "token");
  EXPECT_EQ((*parts)[0].filename, "a \"q\".txt");
}

TEST(Multipart, NoPartsBetweenFirstAndCloseDelimiter) {
  auto parts = parse_multipart_form("--b--\r\n", "b");
  ASSERT_TRUE(parts);
  EXPECT_TRUE(parts->empty());
}

TEST(Multipart, BoundaryOfSeventyCharactersIsAccepted) {
  const std::string boundary(70, 'x');
  const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--" +
                           boundary + "--\r\n";
  auto parts = parse_multipart_form(body, boundary);
  ASSERT_TRUE(parts);
  ASSERT_EQ(parts->size(), 1u);
  EXPECT_EQ((*parts)[0].content, "v");
}

TEST(Multipart, BoundaryOfSeventyOneCharactersIsRefused) {
  const std::string boundary(71, 'x');
  const std::string body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--" +
                           boundary + "--\r\n";
  EXPECT_FALSE(parse_multipart_form(body, boundary));
}

TEST(Multipart, EmptyBoundaryIsRefused) {
  EXPECT_FALSE(parse_multipart_form("--\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n----", ""));
}

TEST(Multipart, ABoundaryThatIsAPrefixOfAnotherDoesNotMatchIt) {
  // The first line names boundary "bb", not "b": with boundary "b" the body has no delimiter
  // line at all, only text that starts like one.
  const std::string body = "--bb\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--bb--";
  EXPECT_FALSE(parse_multipart_form(body, "b"));
}

struct malformed_case {
  std::string name;
  std::string body;
};

class MultipartMalformed : public testing::TestWithParam<malformed_case> {};

TEST_P(MultipartMalformed, IsRefused) {
  auto parts = parse_multipart_form(GetParam().body, "b");
  EXPECT_FALSE(parts) << "parsed " << parts->size() << " parts";
}

INSTANTIATE_TEST_SUITE_P(
    Cases, MultipartMalformed,
    testing::Values(
        malformed_case{"NoDelimiter", "just text\r\n"},
        malformed_case{"Empty", ""},
        malformed_case{"NoCloseDelimiter",
                       "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n"},
        malformed_case{"EndsAfterADelimiter",
                       "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b\r\n"},
        malformed_case{"EndsAtADelimiter",
                       "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b"},
        malformed_case{"HeadersNeverEnd", "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"},
        malformed_case{"NoDisposition", "--b\r\nContent-Type: text/plain\r\n\r\nv\r\n--b--"},
        malformed_case{"DispositionNotFormData",
                       "--b\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--b--"},
        malformed_case{"DispositionWithoutName",
                       "--b\r\nContent-Disposition: form-data; filename=\"f\"\r\n\r\nv\r\n--b--"},
        malformed_case{"TwoDispositions",
                       "--b\r\nContent-Disposition: form-data; name=\"a\"\r\n"
                       "Content-Disposition: form-data; name=\"c\"\r\n\r\nv\r\n--b--"},
        malformed_case{"HeaderLineWithoutColon",
                       "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nbroken\r\n\r\nv\r\n--b--"},
        malformed_case{"HeaderNameNotAToken",
                       "--b\r\nContent-Disposition: form-data; name=\"a\"\r\nBad Name: x\r\n\r\nv\r\n--b--"},
        malformed_case{"TextAfterTheDelimiterOnItsLine",
                       "--b junk\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nv\r\n--b--"},
        malformed_case{"UnterminatedQuoteInDisposition",
                       "--b\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--b--"}),
    case_name);

}  // namespace
}  // namespace herald::core
