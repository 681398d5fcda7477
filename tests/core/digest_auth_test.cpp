// Digest access authentication (src/core/digest_auth.cpp; RFC 7616): the worked example of
// RFC 7616 §3.9.1 for MD5 and SHA-256, RFC 2617 §3.5's example, RFC 2069's form without qop,
// the "-sess" variants and qop auth-int, each checked against digests computed here with
// OpenSSL from the RFC's formulas.

#include <herald/core/digest_auth.hpp>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <string>
#include <string_view>
#include <utility>

namespace herald::core {
namespace {

std::string hex(const EVP_MD* md, std::string_view text) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned size = 0;
  EVP_Digest(text.data(), text.size(), out, &size, md, nullptr);
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  for (unsigned i = 0; i < size; ++i) {
    s += digits[out[i] >> 4];
    s += digits[out[i] & 0xF];
  }
  return s;
}

// RFC 7616 §3.9.1.
digest_input rfc7616(std::string_view algorithm) {
  digest_input in;
  in.algorithm = algorithm;
  in.username = "Mufasa";
  in.realm = "http-auth@example.org";
  in.password = "Circle of Life";
  in.nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
  in.cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
  in.nc = "00000001";
  in.qop = "auth";
  in.method = "GET";
  in.uri = "/dir/index.html";
  return in;
}

TEST(DigestHash, KnownDigestsOfTheEmptyString) {
  EXPECT_EQ(digest_hash("MD5", ""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(digest_hash("SHA-256", ""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(digest_hash("SHA-512-256", ""),
            "c672b8d1ef56ed28ab87c3622c5114069bdd3ad7b8f9737498d0c01ecef0967a");
  EXPECT_EQ(digest_hash("SHA-512", "").value_or("").size(), 128u);
}

TEST(DigestHash, NamesAreCaseInsensitiveAndSessIsTheSameHash) {
  EXPECT_EQ(digest_hash("md5", "abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(digest_hash("MD5-sess", "abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(digest_hash("sha-256-SESS", "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(DigestHash, UnknownAlgorithmsAreRefused) {
  EXPECT_FALSE(digest_hash("SHA-1", "abc"));
  EXPECT_FALSE(digest_hash("", "abc"));
  EXPECT_FALSE(digest_hash("-sess", "abc"));
  EXPECT_FALSE(digest_hash("MD5-sessx", "abc"));
  EXPECT_FALSE(digest_hash("SHA-256 ", "abc"));
}

TEST(DigestResponse, Rfc7616WorkedExampleMd5) {
  EXPECT_EQ(digest_response(rfc7616("MD5")), "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(DigestResponse, Rfc7616WorkedExampleSha256) {
  EXPECT_EQ(digest_response(rfc7616("SHA-256")),
            "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
}

TEST(DigestResponse, Rfc2617Example) {
  digest_input in;
  in.username = "Mufasa";
  in.realm = "testrealm@host.com";
  in.password = "Circle Of Life";
  in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  in.cnonce = "0a4f113b";
  in.qop = "auth";
  in.method = "GET";
  in.uri = "/dir/index.html";
  EXPECT_EQ(digest_response(in), "6629fae49393a05397450978507c4ef1");
}

TEST(DigestResponse, Rfc2069FormWithoutQop) {
  // RFC 2069 §2.1.2: response = H(H(A1) ":" nonce ":" H(A2)); no nc, no cnonce. (The value
  // printed in RFC 2069 itself is known to be wrong; this one follows its formula.)
  digest_input in;
  in.username = "Mufasa";
  in.realm = "testrealm@host.com";
  in.password = "CircleOfLife";
  in.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
  in.cnonce = "ignored";
  in.nc = "ignored";
  in.qop = "";
  in.method = "GET";
  in.uri = "/dir/index.html";
  EXPECT_EQ(digest_response(in), "1949323746fe6a43ef61f9606e7febea");
  const std::string ha1 = hex(EVP_md5(), "Mufasa:testrealm@host.com:CircleOfLife");
  const std::string ha2 = hex(EVP_md5(), "GET:/dir/index.html");
  EXPECT_EQ(digest_response(in),
            hex(EVP_md5(), ha1 + ":dcd98b7102dd2f0e8b11d0f600bfb0c093:" + ha2));
}

TEST(DigestResponse, SessHashesTheNonceAndCnonceIntoA1) {
  for (auto [name, md] : {std::pair<std::string_view, const EVP_MD*>{"MD5-sess", EVP_md5()},
                          {"SHA-256-sess", EVP_sha256()}}) {
    digest_input in = rfc7616(name);
    const std::string ha1 = hex(md, hex(md, "Mufasa:http-auth@example.org:Circle of Life") + ":" +
                                        std::string(in.nonce) + ":" + std::string(in.cnonce));
    const std::string ha2 = hex(md, "GET:/dir/index.html");
    const std::string expected = hex(md, ha1 + ":" + std::string(in.nonce) + ":00000001:" +
                                             std::string(in.cnonce) + ":auth:" + ha2);
    EXPECT_EQ(digest_response(in), expected) << name;
    EXPECT_NE(digest_response(in), digest_response(rfc7616(name.substr(0, name.size() - 5))))
        << name << " must differ from the plain algorithm";
  }
}

TEST(DigestResponse, AuthIntHashesTheBodyIntoA2) {
  digest_input in = rfc7616("SHA-256");
  in.qop = "auth-int";
  in.method = "POST";
  in.body = "name=value";
  const std::string ha1 = hex(EVP_sha256(), "Mufasa:http-auth@example.org:Circle of Life");
  const std::string ha2 =
      hex(EVP_sha256(), "POST:/dir/index.html:" + hex(EVP_sha256(), "name=value"));
  EXPECT_EQ(digest_response(in),
            hex(EVP_sha256(), ha1 + ":" + std::string(in.nonce) + ":00000001:" +
                                  std::string(in.cnonce) + ":auth-int:" + ha2));
  digest_input other = in;
  other.body = "name=other";
  EXPECT_NE(digest_response(in), digest_response(other)) << "the body is covered";
  digest_input plain = in;
  plain.qop = "auth";
  digest_input plain_other = plain;
  plain_other.body = "name=other";
  EXPECT_EQ(digest_response(plain), digest_response(plain_other)) << "qop=auth ignores the body";
}

TEST(DigestResponse, EveryInputChangesTheResponse) {
  const auto base = digest_response(rfc7616("MD5"));
  ASSERT_TRUE(base);
  digest_input in = rfc7616("MD5");
  in.password = "circle of life";
  EXPECT_NE(digest_response(in), base);
  in = rfc7616("MD5");
  in.uri = "/dir/index.html?x";
  EXPECT_NE(digest_response(in), base);
  in = rfc7616("MD5");
  in.method = "HEAD";
  EXPECT_NE(digest_response(in), base);
  in = rfc7616("MD5");
  in.nc = "00000002";
  EXPECT_NE(digest_response(in), base);
}

TEST(DigestResponse, UnknownAlgorithmHasNoResponse) {
  EXPECT_FALSE(digest_response(rfc7616("SHA-1")));
  EXPECT_FALSE(digest_response(rfc7616("")));
}

}  // namespace
}  // namespace herald::core
