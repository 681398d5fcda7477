// The client's TLS and proxy paths (src/client/http_client.cpp) against real peers started as
// child processes: `openssl s_server -www` with a self-signed certificate made for the test
// (verification refused and named, --insecure accepted, the certificate trusted through
// SSL_CERT_FILE to check the host name), and tinyproxy (http in absolute form, the proxy's 407
// and Basic Proxy-Authorization, https through CONNECT). Each peer is bounded and killed at
// the end; a test skips when its program is missing.

#include <herald/client/fetch.hpp>
#include <herald/client/http_client.hpp>

#include <cstdlib>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "client/client_support.hpp"

namespace herald::client {
namespace {

using namespace std::chrono_literals;
using json = nlohmann::json;
using testing::AnyOf;
using testing::HasSubstr;

const std::string openssl = "/usr/bin/openssl";
const std::string tinyproxy = "/usr/bin/tinyproxy";

request_spec get(std::string url) {
  request_spec r;
  r.url = std::move(url);
  return r;
}

std::optional<failure> failure_of(http_client& c, const request_spec& r) {
  try {
    c.exchange(r);
  } catch (const failure& f) {
    return f;
  }
  return std::nullopt;
}

client_options quick() {
  client_options o;
  o.connect_timeout = 2s;
  o.header_timeout = 2s;
  return o;
}

// A self-signed certificate for DNS:localhost and `openssl s_server -www` serving it on
// 127.0.0.1.
class tls_peer {
 public:
  tls_peer() {
    cert_ = dir_.path() / "cert.pem";
    key_ = dir_.path() / "key.pem";
    test::command_result made = test::run_command(
        openssl + " req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost"
                  " -addext subjectAltName=DNS:localhost -keyout " + key_.string() + " -out " +
        cert_.string() + " >/dev/null 2>&1 && echo ok");
    if (made.out != "ok\n") return;
    port_ = test::free_port();
    server_.emplace(std::vector<std::string>{openssl, "s_server", "-accept",
                                             "127.0.0.1:" + std::to_string(port_), "-cert",
                                             cert_.string(), "-key", key_.string(), "-www", "-quiet"},
                    dir_.path() / "s_server.log");
    ready_ = server_->started() && test::wait_for_port(port_);
  }
  bool ready() const { return ready_; }
  unsigned short port() const { return port_; }
  const std::filesystem::path& cert() const { return cert_; }
  std::string url(std::string_view host) const {
    return "https://" + std::string(host) + ":" + std::to_string(port_) + "/";
  }
  std::string log() const { return test::read_file(dir_.path() / "s_server.log"); }

 private:
  test::temp_dir dir_;
  std::filesystem::path cert_, key_;
  unsigned short port_ = 0;
  std::optional<test::child_process> server_;
  bool ready_ = false;
};

// An http_client whose default verify paths trust `cert` (SSL_CERT_FILE is read when the
// client's TLS context loads them; it is restored at once).
std::unique_ptr<http_client> client_trusting(const std::filesystem::path& cert) {
  const char* before = std::getenv("SSL_CERT_FILE");
  std::optional<std::string> saved = before ? std::optional<std::string>(before) : std::nullopt;
  ::setenv("SSL_CERT_FILE", cert.c_str(), 1);
  auto c = std::make_unique<http_client>(quick());
  if (saved) ::setenv("SSL_CERT_FILE", saved->c_str(), 1);
  else ::unsetenv("SSL_CERT_FILE");
  return c;
}

class Tls : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::program_exists(openssl)) GTEST_SKIP() << openssl << " is not installed";
    peer_.emplace();
    ASSERT_TRUE(peer_->ready()) << "openssl s_server did not start: " << peer_->log();
  }
  std::optional<tls_peer> peer_;
};

TEST_F(Tls, SelfSignedCertificateIsRefusedAndNamed) {
  http_client c(quick());
  auto f = failure_of(c, get(peer_->url("localhost")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::tls) << f->what();
  EXPECT_THAT(f->what(), AnyOf(HasSubstr("self-signed certificate"), HasSubstr("self signed certificate")));
  EXPECT_TRUE(f->before_request());
}

TEST_F(Tls, InsecureAcceptsIt) {
  client_options o = quick();
  o.insecure = true;
  http_client c(o);
  response_record r = c.exchange(get(peer_->url("localhost")));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("s_server"));
  EXPECT_GT(r.time.tls.count(), 0);
}

TEST_F(Tls, TrustedCertificateIsAcceptedForItsHostName) {
  auto c = client_trusting(peer_->cert());
  response_record r = c->exchange(get(peer_->url("localhost")));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("s_server"));
}

TEST_F(Tls, TrustedCertificateIsRefusedForAnotherName) {
  // RFC 6125: the certificate names DNS:localhost, not the address 127.0.0.1. The failure
  // must say so. (Fails on purpose: asio's host_name_verification refuses the certificate
  // without an X509 error code, so the message reads "unspecified certificate verification
  // error"; reported.)
  auto c = client_trusting(peer_->cert());
  auto f = failure_of(*c, get(peer_->url("127.0.0.1")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::tls) << f->what();
  EXPECT_THAT(f->what(), HasSubstr("mismatch"));
}

// tinyproxy on a free port with a config of our own; `connect_port` is the one port CONNECT may
// reach, `auth` "user password" turns on Basic authentication.
class proxy_peer {
 public:
  proxy_peer(unsigned short connect_port, std::string auth = {}) {
    port_ = test::free_port();
    std::string config = "Port " + std::to_string(port_) +
                         "\nListen 127.0.0.1\nTimeout 5\nAllow 127.0.0.1\nMaxClients 20\n"
                         "LogLevel Info\nConnectPort " + std::to_string(connect_port) + "\n";
    if (!auth.empty()) config += "BasicAuth " + auth + "\n";
    const auto path = dir_.write("tinyproxy.conf", config);
    proxy_.emplace(std::vector<std::string>{tinyproxy, "-d", "-c", path.string()},
                   dir_.path() / "tinyproxy.log");
    ready_ = proxy_->started() && test::wait_for_port(port_);
  }
  bool ready() const { return ready_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string log() const { return test::read_file(dir_.path() / "tinyproxy.log"); }

 private:
  test::temp_dir dir_;
  unsigned short port_ = 0;
  std::optional<test::child_process> proxy_;
  bool ready_ = false;
};

class Proxy : public testing::Test {
 protected:
  void SetUp() override {
    if (!test::program_exists(tinyproxy)) GTEST_SKIP() << tinyproxy << " is not installed";
  }
  client_options through(const proxy_peer& p, std::string user = {}) {
    client_options o = quick();
    o.proxy = p.url();
    o.proxy_user = std::move(user);
    return o;
  }
  test::lab_server lab_;
};

TEST_F(Proxy, HttpGoesThroughTheProxy) {
  proxy_peer proxy(443);
  ASSERT_TRUE(proxy.ready()) << proxy.log();
  http_client c(through(proxy));
  response_record r = c.exchange(get(lab_.url("/anything?x=1")));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.body;
  EXPECT_THAT(j["headers"].value("Via", ""), HasSubstr("tinyproxy"));
  EXPECT_EQ(j["url"], lab_.url("/anything?x=1"));
  EXPECT_EQ(j["args"]["x"], "1");
  EXPECT_THAT(proxy.log(), HasSubstr("GET " + lab_.url("/anything?x=1") + " HTTP/1.1"))
      << "the request reached the proxy in absolute form";
}

TEST_F(Proxy, WithoutCredentialsTheProxysAnswerIs407) {
  proxy_peer proxy(443, "u p");
  ASSERT_TRUE(proxy.ready()) << proxy.log();
  http_client c(through(proxy));
  response_record r = c.exchange(get(lab_.url("/get")));
  EXPECT_EQ(r.status, 407);
  EXPECT_TRUE(r.fields.contains("Proxy-Authenticate"));
  // Wrong credentials: tinyproxy 1.11 answers 401 (sic) rather than 407; either way the
  // request does not reach the lab.
  http_client wrong(through(proxy, "u:nope"));
  EXPECT_THAT(wrong.exchange(get(lab_.url("/get"))).status, AnyOf(401, 407));
}

TEST_F(Proxy, WithCredentialsTheRequestGoesThrough) {
  proxy_peer proxy(443, "u p");
  ASSERT_TRUE(proxy.ready()) << proxy.log();
  http_client c(through(proxy, "u:p"));
  response_record r = c.exchange(get(lab_.url("/headers")));
  ASSERT_EQ(r.status, 200) << r.body;
  json j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j["headers"].contains("Proxy-Authorization")) << "the proxy consumes it";
}

TEST_F(Proxy, FetchThroughTheProxyFollowsRedirects) {
  proxy_peer proxy(443);
  ASSERT_TRUE(proxy.ready()) << proxy.log();
  http_client c(through(proxy));
  test::recording_sink sink;
  fetch_result r = fetch(c, get(lab_.url("/redirect/2")), fetch_options{}, &sink);
  ASSERT_FALSE(r.error) << r.error->what();
  ASSERT_EQ(r.hops.size(), 3u);
  EXPECT_EQ(r.final_response()->status, 200);
  EXPECT_THAT(sink.content, HasSubstr("tinyproxy"));
}

TEST_F(Proxy, HttpsThroughConnect) {
  if (!test::program_exists(openssl)) GTEST_SKIP() << openssl << " is not installed";
  tls_peer origin;
  ASSERT_TRUE(origin.ready()) << origin.log();
  proxy_peer proxy(origin.port(), "u p");
  ASSERT_TRUE(proxy.ready()) << proxy.log();
  client_options o = through(proxy, "u:p");
  o.insecure = true;
  http_client c(o);
  response_record r = c.exchange(get(origin.url("localhost")));
  EXPECT_EQ(r.status, 200);
  EXPECT_THAT(r.body, HasSubstr("s_server"));
  EXPECT_THAT(proxy.log(), HasSubstr("CONNECT localhost:" + std::to_string(origin.port())));
}

TEST_F(Proxy, ConnectRefusedByTheProxyIsAConnectFailure) {
  if (!test::program_exists(openssl)) GTEST_SKIP() << openssl << " is not installed";
  tls_peer origin;
  ASSERT_TRUE(origin.ready()) << origin.log();
  proxy_peer proxy(origin.port(), "u p");
  ASSERT_TRUE(proxy.ready()) << proxy.log();
  client_options o = through(proxy);  // no credentials
  o.insecure = true;
  http_client c(o);
  auto f = failure_of(c, get(origin.url("localhost")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::connect) << f->what();
  EXPECT_THAT(f->what(), HasSubstr("407"));
}

TEST_F(Proxy, ConnectToAPortTheProxyForbidsIsRefused) {
  if (!test::program_exists(openssl)) GTEST_SKIP() << openssl << " is not installed";
  tls_peer origin;
  ASSERT_TRUE(origin.ready()) << origin.log();
  proxy_peer proxy(static_cast<unsigned short>(origin.port() == 443 ? 444 : 443));
  ASSERT_TRUE(proxy.ready()) << proxy.log();
  client_options o = through(proxy);
  o.insecure = true;
  http_client c(o);
  auto f = failure_of(c, get(origin.url("localhost")));
  ASSERT_TRUE(f);
  EXPECT_EQ(f->what_kind(), failure::kind::connect) << f->what();
  EXPECT_THAT(f->what(), HasSubstr("refused the tunnel"));
}

TEST(ProxyOptions, HttpsProxyIsRefused) {
  client_options o;
  o.proxy = "https://127.0.0.1:3128";
  try {
    http_client c(o);
    ADD_FAILURE() << "an https proxy was accepted";
  } catch (const failure& f) {
    EXPECT_EQ(f.what_kind(), failure::kind::url);
  }
}

}  // namespace
}  // namespace herald::client
